"""The access log names a link page's path without its token: a block leader's link (and
the board's, a handler's, a reporter's) is the key to their page, not a line to keep."""

from __future__ import annotations

import contextlib
import secrets
import sys

import pytest

from coordinator.platform.logging import configure_logging


@pytest.mark.parametrize(
    "path",
    ["/b/{}/walk", "/b/{}", "/dwelling-board/{}", "/h/{}", "/r/{}", "/v/{}"],
)
async def test_link_tokens_are_kept_out_of_the_access_log(api, capsys, path):  # type: ignore[no-untyped-def]
    token = secrets.token_urlsafe(24)
    configure_logging("debug")  # the access log writes at debug, to this test's stderr
    try:
        response = await api.get(path.format(token), role=None)
    finally:
        with contextlib.redirect_stderr(sys.__stderr__):  # not the captured stream
            configure_logging("warning")  # as the other tests expect
    assert response.status == 404
    logged = capsys.readouterr()
    lines = [line for line in (logged.out + logged.err).splitlines() if '"request"' in line]
    assert lines, "the request was logged"
    assert all(token not in line for line in lines)
    prefix = path.split("/")[1]
    assert any(f"/{prefix}/***" in line for line in lines)
