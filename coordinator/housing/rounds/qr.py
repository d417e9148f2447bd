"""The code posted at a block: a URL with the block's id and a code made from its
`qr_secret`, which a phone's camera opens (/q/{block}/{code}); a round started or ended
through it is proven. The image is SVG, drawn by segno, to print at any size."""

from __future__ import annotations

import hashlib
import hmac
import io

import segno

from coordinator.housing.models import Block

CODE_LENGTH = 24


def code_of(block: Block) -> str:
    """The block's code: only whoever stands before the printed sheet (or a coordinator)
    knows it; a new `qr_secret` makes a new one."""
    digest = hmac.new(block.qr_secret.encode(), f"round:{block.id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:CODE_LENGTH]


def code_ok(block: Block, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(code_of(block), given or "")


def scan_url(base_url: str, block: Block) -> str:
    return f"{base_url}/q/{block.id}/{code_of(block)}"


def svg(url: str) -> bytes:
    """The QR code of a URL as a standalone SVG document."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=4, title="巡查二维码")
    return out.getvalue()
