"""A share link as a QR code PNG, for posters and slides (the `qrcode` library, drawn
with Pillow, which the charts already use)."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage


def qr_png(link: str) -> bytes:
    """The link as a black-on-white QR code: medium error correction (survives a smudged
    printout), a 4-module quiet zone as the standard asks, ~10 px per module."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(link)
    code.make(fit=True)
    image = code.make_image(image_factory=PilImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
