"""The browser used by page tests starts and renders a page served by Fumin."""


async def test_chromium_renders_the_api_docs(browser, live_server):
    page = await browser.new_page()
    response = await page.goto(str(live_server.make_url("/api/docs")))
    assert response is not None and response.status == 200
    assert "Fumin" in await page.title()
    companies = page.locator(".opblock-summary-path", has_text="/api/v1/companies")
    await companies.first.wait_for()  # Swagger UI renders the operations after loading
    assert await companies.count() >= 1
