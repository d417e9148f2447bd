"""What every error under /open311 is: GeoReport v2's error document, not RFC 9457's
problem (Open311 clients parse the specification's format): [{code, description}] in
JSON, <errors><error><code/><description/></error></errors> in XML, the code being the
HTTP status (403 a bad api_key, 404 what does not exist, 405 another method, 400 the rest)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

GEOREPORT_STATUSES = {400, 403, 404, 405}


def georeport_errors(status: int, content_type: str, body: bytes) -> list[tuple[int, str]]:
    """The (code, description) pairs of a GeoReport error answer; AssertionError if it
    is not one."""
    kind = content_type.split(";")[0].strip()
    if kind == "application/json":
        parsed = json.loads(body)
        assert isinstance(parsed, list) and parsed, body
        pairs = [(e["code"], e["description"]) for e in parsed]
        assert all(set(e) == {"code", "description"} for e in parsed), body
    else:
        assert kind == "text/xml", f"{status} answered as {kind!r}"
        assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), body[:80]
        root = ET.fromstring(body)
        assert root.tag == "errors", body[:200]
        pairs = [(int(e.findtext("code", "")), e.findtext("description", "")) for e in root]
        assert pairs and all(e.tag == "error" for e in root), body[:200]
    assert all(code == status and description for code, description in pairs), (status, pairs)
    if status < 500:
        assert status in GEOREPORT_STATUSES, status
    return pairs
