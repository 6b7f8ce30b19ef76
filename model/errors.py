"""Typed errors of the detector.

Each carries a stable ``code`` so the service can map it to an HTTP status in one place
without parsing messages; ``str(error)`` is a sentence a person can read.
"""


class ImageError(Exception):
    """The bytes handed to the detector cannot be analysed."""

    code = "invalid_image"


class EmptyImage(ImageError):
    code = "empty_image"


class UnsupportedFormat(ImageError):
    code = "unsupported_media_type"


class CorruptImage(ImageError):
    code = "corrupt_image"


class TruncatedImage(CorruptImage):
    code = "truncated_image"


class ImageTooLarge(ImageError):
    """Too many pixels (a decompression bomb or simply a huge picture)."""

    code = "image_too_large"


class ModelError(Exception):
    """The detector itself cannot run: missing or incompatible weights."""

    code = "model_unavailable"
