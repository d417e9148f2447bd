"""Webhook signatures as a receiver checks them."""

import time

from hypothesis import given
from hypothesis import strategies as st

from coordinator.notifications import webhooks

SECRET = "whsec_example"


def test_a_signed_body_verifies():
    body = webhooks.body_for(
        {
            "id": "e1",
            "type": "area.created",
            "occurred_at": "2026-01-01T00:00:00Z",
            "data": {"名称": "华山"},
        }
    )
    signature = webhooks.sign(SECRET, int(time.time()), body)
    assert webhooks.verify(SECRET, signature, body)


def test_a_tampered_body_fails():
    body = b'{"id":"e1","data":{"amount":1}}'
    signature = webhooks.sign(SECRET, int(time.time()), body)
    assert not webhooks.verify(SECRET, signature, body.replace(b"1", b"2"))


def test_an_old_timestamp_fails_even_with_a_valid_mac():
    body = b'{"id":"e1"}'
    old = int(time.time()) - webhooks.TOLERANCE_SECONDS - 1
    assert not webhooks.verify(SECRET, webhooks.sign(SECRET, old, body), body)


def test_another_secret_fails():
    body = b'{"id":"e1"}'
    assert not webhooks.verify("whsec_other", webhooks.sign(SECRET, int(time.time()), body), body)


@given(st.text(max_size=40))
def test_garbage_signatures_never_verify_and_never_raise(garbage):
    assert not webhooks.verify(SECRET, garbage, b"{}")
