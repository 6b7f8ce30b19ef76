"""The metadata the decoder keeps beside the pixels (EXIF, XMP, text chunks, comments),
read within its budgets, and broken metadata as missing metadata, not an error."""

import io
import struct
import zlib

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from model.config import DecodeConfig
from model.errors import ImageTooLarge
from model.image.decode import DecodedImage, decode
from tests.images import jpeg, png, scene
from tests.model.decode_files import CONFIG, encode, png_chunk


def png_text(key: str, value: str) -> PngInfo:
    info = PngInfo()
    info.add_text(key, value)
    return info


def test_metadata_is_kept():
    exif = Image.Exif()
    exif[0x0131] = "GIMP 2.10"
    exif.get_ifd(0x8769)[0x9003] = "2024:01:02 03:04:05"
    image = decode(jpeg(scene(1, 32, 32), 90, exif=exif.tobytes(), progressive=True), CONFIG)
    assert image.exif.get(0x0131) == "GIMP 2.10"
    assert image.exif.get_ifd(0x8769)[0x9003] == "2024:01:02 03:04:05"
    assert image.info["progressive"] and image.info["mode"] == "RGB"
    text = decode(png(Image.new("RGB", (8, 8)), pnginfo=png_text("parameters", "a cat")), CONFIG)
    assert text.info["parameters"] == "a cat" and len(text.exif) == 0


@pytest.mark.parametrize("fmt", ["AVIF", "HEIF"])
def test_avif_and_heic_metadata_is_kept(fmt):
    exif = Image.Exif()
    exif[0x0131] = "GIMP 2.10"
    exif.get_ifd(0x8769)[0x9003] = "2024:01:02 03:04:05"
    packet = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">tool</x:xmpmeta>'
    source = Image.fromarray(scene(1, 32, 32))
    image = decode(encode(source, fmt, exif=exif.tobytes(), xmp=packet), CONFIG)
    assert image.exif.get(0x0131) == "GIMP 2.10"
    assert image.exif.get_ifd(0x8769)[0x9003] == "2024:01:02 03:04:05"
    assert image.info["xmp"].rstrip(b"\0") == packet and image.info["mode"] == "RGB"


def test_broken_exif_is_missing_metadata_not_an_error():
    exif = Image.Exif()
    exif[0x010F] = "A camera maker with a long name"
    exif[0x0131] = "Some editing software"
    # Cut short: Pillow warns about (and skips) the tag whose data is gone; no warning escapes.
    image = decode(jpeg(scene(2, 32, 32), 90, exif=exif.tobytes()[:-10]), CONFIG)
    assert image.exif.get(0x010F) == "A camera maker with a long name"
    unreadable = decode(jpeg(scene(2, 32, 32), 90, exif=b"Exif\0\0XXXXXXXX"), CONFIG)
    assert len(unreadable.exif) == 0 and unreadable.info["exif"]


def test_exif_tag_of_an_unexpected_type_warns_nobody_later():
    """Pillow decodes a tag when it is first read. A Make stored as three SHORTs made it warn
    on that read, after decode(), where warnings are errors under this suite."""
    entry = struct.pack("<HHI3H", 0x010F, 3, 3, 1, 2, 3)  # Make: SHORT x 3, kept at an offset
    tiff = b"II*\0" + struct.pack("<IH", 8, 1) + entry[:8] + struct.pack("<II", 26, 0)
    tiff += entry[8:]
    image = decode(jpeg(scene(2, 32, 32), 90, exif=b"Exif\0\0" + tiff), CONFIG)
    assert image.exif[0x010F] == 1  # Pillow keeps the first value


def test_exif_too_large_to_read_is_left_unread():
    def with_description(length: int) -> DecodedImage:
        exif = Image.Exif()
        exif[0x010E] = "x" * length  # ImageDescription
        return decode(png(Image.fromarray(scene(2, 32, 32)), exif=exif.tobytes()), CONFIG)

    assert len(with_description(1000).exif[0x010E]) == 1000
    huge = with_description(CONFIG.max_exif_bytes)
    assert len(huge.exif) == 0 and len(huge.info["exif"]) > CONFIG.max_exif_bytes


def test_avif_of_more_exif_than_is_read_is_refused_before_pillow_reads_it():
    """Pillow reads an AVIF's EXIF as it opens the file: 4.8 MB of it took 5 s. A HEIC's is
    left unread, as other formats' are."""
    exif = Image.Exif()
    exif[0x010E] = "x" * 5000  # ImageDescription
    source = Image.fromarray(scene(2, 32, 32))
    small = DecodeConfig(max_exif_bytes=4000)
    with pytest.raises(ImageTooLarge, match="AVIF carries 5,0.. bytes of EXIF; at most 4,000"):
        decode(encode(source, "AVIF", exif=exif.tobytes()), small)
    assert decode(encode(source, "AVIF", exif=exif.tobytes()), CONFIG).exif[0x010E] == "x" * 5000
    assert len(decode(encode(source, "HEIF", exif=exif.tobytes()), small).exif) == 0


def test_text_is_read_up_to_its_budget():
    """63 compressed text chunks of 1 MB each, 60 KB of file, gave the generator search 63 MB
    to read (17 s). The text read stops at the budget, in the file's order."""
    png = encode(Image.fromarray(scene(1, 32, 32)), "PNG")
    packed = zlib.compress(b"a " * 500_000, 9)
    chunks = b"".join(png_chunk(b"zTXt", b"k%d\0\0" % i + packed) for i in range(63))
    image = decode(png[:33] + chunks + png[33:], CONFIG)
    texts = [v for k, v in image.info.items() if k.startswith("k")]
    assert sum(map(len, texts)) == CONFIG.max_text_bytes and len(texts) == 2
    assert image.info["mode"] == "RGB"
    budget = DecodeConfig(max_text_bytes=10)
    comment = decode(jpeg(scene(1, 32, 32), 90, comment=b"made by a tool"), budget)
    assert comment.info["comment"] == b"made by a "


def test_xmp_of_formats_pillow_does_not_read_is_found_in_the_raw_bytes():
    packet = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">tool</x:xmpmeta>'
    gif = encode(Image.fromarray(scene(1, 32, 32)), "GIF") + b"junk" + packet + b"<x:xmpmeta"
    assert decode(gif, CONFIG).info["xmp"] == packet
    assert "xmp" not in decode(gif, DecodeConfig(max_text_bytes=0)).info
    assert "xmp" not in decode(encode(Image.fromarray(scene(1, 32, 32)), "BMP"), CONFIG).info


def test_xmp_is_read_once_and_from_the_first_picture_only():
    """A PNG's iTXt packet sits under its chunk's key and "xmp": counted twice, a 600 KB
    packet left no budget for the generator parameters after it. A JPEG holding more
    pictures (Pillow's "MPO") must not take a later picture's packet as its own."""
    packet = '<x:xmpmeta xmlns:x="adobe:ns:meta/">' + "x" * 600_000 + "</x:xmpmeta>"
    small = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">tool</x:xmpmeta>'
    chunks = PngInfo()
    chunks.add_itxt("XML:com.adobe.xmp", packet)
    chunks.add_text("parameters", "a cat\nSteps: 20, Sampler: Euler")
    image = decode(png(Image.fromarray(scene(1, 32, 32)), pnginfo=chunks), CONFIG)
    assert image.info["xmp"].decode() == packet and "XML:com.adobe.xmp" not in image.info
    assert image.info["parameters"].startswith("a cat")
    tagged = PngInfo()
    tagged.add_text("XML:com.adobe.xmp", packet)  # a tEXt chunk: Pillow gives text only
    assert (
        decode(png(Image.fromarray(scene(1, 32, 32)), pnginfo=tagged), CONFIG).info["xmp"] == packet
    )
    frame = Image.fromarray(scene(2, 32, 32))
    pictures = encode(frame, "MPO", save_all=True, append_images=[frame])
    second = pictures.index(b"\xff\xd8\xff", 3) + 2  # an XMP segment for the second picture
    segment = b"http://ns.adobe.com/xap/1.0/\0" + small
    pictures = (
        pictures[:second]
        + b"\xff\xe1"
        + (len(segment) + 2).to_bytes(2, "big")
        + segment
        + pictures[second:]
    )
    assert Image.open(io.BytesIO(pictures)).format == "MPO"
    assert "xmp" not in decode(pictures, CONFIG).info
