"""/api/docs in a real browser: Swagger UI renders every operation from the app's own
assets, asks for a bearer token, and nothing is fetched from outside loopback."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from coordinator.docs.views import OPENAPI

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


async def test_swagger_ui_renders_every_operation_offline(browser, live_server):
    operations = sum(
        len(methods) for methods in json.loads(live_server.app[OPENAPI])["paths"].values()
    )
    page = await browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    response = await page.goto(str(live_server.make_url("/api/docs")))
    assert response is not None and response.status == 200
    await page.locator(".opblock").nth(operations - 1).wait_for(timeout=30_000)
    assert await page.locator(".opblock").count() == operations
    assert "Fumin" in await page.title()
    assert await page.locator(".opblock-summary-path", has_text="/api/v1/companies").count() >= 1
    # Bearer auth: the Authorize button offers the bearerAuth scheme.
    await page.locator("button.authorize").first.click()
    assert await page.locator(".auth-container", has_text="bearerAuth").count() == 1
    await page.locator("button.btn-done, button.close-modal").first.click()
    # A request body shows its fields, and an enum its values.
    await page.locator("#operations-shifts-update_shift .opblock-summary").click()
    body = page.locator("#operations-shifts-update_shift")
    await body.locator("text=Schema").first.click()
    await body.locator(".model-box").first.wait_for()
    text = await body.inner_text()
    assert "starts_at" in text and "following" in text

    assert requested
    outside = [url for url in requested if urlsplit(url).hostname not in LOOPBACK]
    assert outside == []
    assert failed == []
