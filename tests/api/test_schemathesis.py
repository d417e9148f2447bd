"""Every operation of the OpenAPI document driven with generated input over real HTTP.

schemathesis reads /api/openapi.json from the app served on loopback (with the demo
subdistrict loaded) and sends valid and invalid requests to each operation, then chains
operations through the links it infers (a created resource read, edited, deleted). Every
answer must: not be a 5xx, have a documented status, content type and headers, match the
documented schema, and on a 4xx be a problem document whose `status` is the HTTP status.
Seed and example counts are fixed, so a run is repeatable and takes a minute or two.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.engine import Status, events

from coordinator.app import route_tables
from coordinator.docs.openapi import build_openapi
from tests.api.served import ServedApi
from tests.open311.errors import georeport_errors

SEED = 11_2025
EXAMPLES_PER_OPERATION = 25
STATEFUL_SCENARIOS = 30
STATEFUL_STEPS = 8
REVOKE_TOKEN = "/api/v1/tokens/{id}/revoke"
GEOREPORT = "/open311/"


@schemathesis.check
def problem_details(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 4xx is an RFC 9457 problem whose `status` is the HTTP status (under /open311,
    GeoReport's own error document instead: the check below)."""
    if not 400 <= response.status_code < 500 or case.operation.path.startswith(GEOREPORT):
        return None
    headers = {name.lower(): values for name, values in response.headers.items()}
    content_type = headers.get("content-type", [""])[0].split(";")[0].strip()
    if content_type != "application/problem+json":
        raise AssertionError(
            f"{response.status_code} answered as {content_type!r}, not application/problem+json"
        )
    body = json.loads(response.content)
    if body.get("status") != response.status_code:
        raise AssertionError(
            f"problem status {body.get('status')!r} is not the HTTP status {response.status_code}"
        )
    return True


@schemathesis.check
def georeport_error(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Under /open311 a 4xx is GeoReport v2's error document, in the path's format, its
    codes the HTTP status: Open311 clients parse that format, not RFC 9457's."""
    if not 400 <= response.status_code < 500 or not case.operation.path.startswith(GEOREPORT):
        return None
    headers = {name.lower(): values for name, values in response.headers.items()}
    content_type = headers.get("content-type", [""])[0]
    georeport_errors(response.status_code, content_type, response.content)
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    problem_details,
    georeport_error,
]


def _config(*, only_stateful: bool = False, **top: Any) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            **top,
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES_PER_OPERATION,
                "no-shrink": True,
                "allow-x00": True,
                "database": "none",
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": not only_stateful},
                "coverage": {"enabled": False},
                "fuzzing": {
                    "enabled": not only_stateful,
                    "extra-data-sources": {"responses": True},
                },
                "stateful": {
                    "enabled": True,
                    "generation": {"max-examples": STATEFUL_SCENARIOS},
                    "max-steps": STATEFUL_STEPS,
                    "inference": {"algorithms": ["location-headers", "dependency-analysis"]},
                },
            },
            # The document's promises, not guesses at domain rules: a valid-looking body may
            # still break one (a visit in the past), an invalid-looking one be tolerated.
            "checks": {
                "positive_data_acceptance": {"enabled": False},
                "negative_data_rejection": {"enabled": False},
            },
            "warnings": False,
        }
    )


@pytest.fixture(scope="module")
def session(served_api: ServedApi) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {served_api.token}"
    return session


def _spare_token(session: requests.Session, base_url: str) -> str:
    """A token of its own for a generated revocation to revoke."""
    answer = session.post(
        f"{base_url}/api/v1/tokens", json={"name": "spare", "role": "viewer"}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _keep_own_token(case: Case, served_api: ServedApi, session: requests.Session) -> None:
    """Generated input may name the token the tests use; it revokes a spare instead."""
    if (
        case.operation.path == REVOKE_TOKEN
        and str((case.path_parameters or {}).get("id")) == served_api.token_id
    ):
        case.path_parameters = {"id": _spare_token(session, served_api.base_url)}


# What the before_call hook needs, set for the module's served app.
_IN_USE: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def _guard_the_token_in_use(served_api: ServedApi, session: requests.Session) -> Any:
    _IN_USE.update(served_api=served_api, session=session)
    yield
    _IN_USE.clear()


def _open311_key(session: requests.Session, base_url: str) -> str:
    """An Open311 api_key, so generated requests are filed rather than all refused."""
    answer = session.post(f"{base_url}/api/v1/open311-keys", json={"name": "生成"}, timeout=10)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["key"])


@schemathesis.hook
def before_call(context: Any, case: Case, kwargs: dict[str, Any]) -> None:
    if _IN_USE:
        _keep_own_token(case, _IN_USE["served_api"], _IN_USE["session"])
        if case.operation.path.startswith(GEOREPORT) and isinstance(case.body, dict):
            if "open311_key" not in _IN_USE:
                _IN_USE["open311_key"] = _open311_key(
                    _IN_USE["session"], _IN_USE["served_api"].base_url
                )
            case.body["api_key"] = _IN_USE["open311_key"]


def _authorized(case: Case, served_api: ServedApi) -> dict[str, str]:
    """The admin token on every request (roles are tested where they are defined)."""
    return {"Authorization": f"Bearer {served_api.token}"}


# The document the app serves at /api/openapi.json (test_the_served_document_is_this_one),
# built at collection so each operation is a test of its own.
DOCUMENT = build_openapi(route_tables())
schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=_config())


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)
def test_every_operation_keeps_its_documented_promises(
    case: Case, served_api: ServedApi, session: requests.Session
) -> None:
    case.call_and_validate(
        base_url=served_api.base_url,
        headers=_authorized(case, served_api),
        checks=CHECKS,
        timeout=30,
    )


def test_linked_operations_keep_their_documented_promises(
    served_api: ServedApi, session: requests.Session
) -> None:
    """Chains of calls along the links schemathesis infers (a Location header, an id in
    one answer that another operation takes), run by its own engine, which keeps going
    where state on the server makes a scenario play out differently on replay."""
    config = _config(
        only_stateful=True,
        **{
            "base-url": served_api.base_url,
            "headers": {"Authorization": f"Bearer {served_api.token}"},
        },
    )
    chained = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=config)

    failures: list[str] = []
    scenarios = 0
    for event in schemathesis.engine.from_schema(chained).execute():
        if isinstance(event, events.ScenarioFinished):
            scenarios += 1
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE:
                        case = event.recorder.cases[case_id].value
                        interaction = event.recorder.interactions.get(case_id)
                        answer = interaction.response if interaction else None
                        failures.append(
                            f"{case.operation.label} {case.path_parameters or ''} "
                            f"{case.query or ''} {case.body!r:.200} -> "
                            f"{answer.status_code if answer else '?'} "
                            f"{(answer.content[:200] if answer else b'')!r}: {check.name}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"engine error: {getattr(event, 'info', event)}")
    assert scenarios > 0
    assert failures == [], "\n".join(sorted(set(failures)))


def test_the_served_document_is_this_one(served_api: ServedApi) -> None:
    served = requests.get(f"{served_api.base_url}/api/openapi.json", timeout=10).json()
    assert served.pop("servers") == [{"url": served_api.base_url}]
    assert served == DOCUMENT


def test_the_token_in_use_survived(served_api: ServedApi, session: requests.Session) -> None:
    answer = session.get(f"{served_api.base_url}/api/v1/tokens", timeout=10)
    assert answer.status_code == 200, answer.text
