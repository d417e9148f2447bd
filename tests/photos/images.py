"""Images for the photo tests, made with Pillow: a phone's JPEG with GPS and camera in its
EXIF, PNG, WebP, a GIF, a cut-off JPEG and decompression bombs."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

RED = (220, 30, 30)
BLUE = (30, 30, 220)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Make="Huawei"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def halves(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Red on the left half, blue on the right: which way is up shows after a turn."""
    image = Image.new(mode, (width, height), RED if mode == "RGB" else (*RED, 255))
    image.paste(BLUE if mode == "RGB" else (*BLUE, 255), (width // 2, 0, width, height))
    return image


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    exif[ExifTags.Base.Model] = "Mate 60 Pro"
    exif[ExifTags.Base.Software] = "HarmonyOS 4.0"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 13.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 26.0, 40.25)
    return exif


def jpeg(width: int = 400, height: int = 200, *, orientation: int = 1, quality: int = 92) -> bytes:
    """A JPEG as a phone writes it: EXIF with camera, software and GPS, XMP, a comment."""
    out = BytesIO()
    halves(width, height).save(
        out,
        "JPEG",
        quality=quality,
        exif=phone_exif(orientation),
        xmp=XMP,
        comment=b"taken at Huashan Road 100",
    )
    return out.getvalue()


def png(width: int = 300, height: int = 200) -> bytes:
    """An RGBA PNG (half transparent) with text chunks and EXIF."""
    image = halves(width, height, "RGBA")
    image.putalpha(128)
    info = PngInfo()
    info.add_text("Comment", "taken at Huashan Road 100")
    info.add_text("Software", "Huawei Gallery")
    out = BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=phone_exif())
    return out.getvalue()


def webp(width: int = 300, height: int = 200) -> bytes:
    out = BytesIO()
    halves(width, height).save(out, "WEBP", quality=90, exif=phone_exif(), xmp=XMP)
    return out.getvalue()


def gif() -> bytes:
    out = BytesIO()
    halves(60, 40).convert("P").save(out, "GIF")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    whole = jpeg(800, 600)
    return whole[: len(whole) // 2]


def png_claiming(width: int, height: int) -> bytes:
    """A 1-bit PNG of `width` x `height` pixels, all black: a few kilobytes that decode to
    width x height pixels (a decompression bomb when that is large)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes((width + 7) // 8)
    rows = 2048
    body = b"".join(compressor.compress(row * rows) for _ in range(height // rows))
    body += compressor.compress(row * (height % rows)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def mpo() -> bytes:
    """A JPEG carrying a second picture (MPO), as some phones write them."""
    first = Image.open(BytesIO(jpeg()))
    out = BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[halves(400, 200)], exif=phone_exif())
    return out.getvalue()
