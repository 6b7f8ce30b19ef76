"""Image bytes to pixels: everything that reads a file before any signal looks at it.

Start from ``decode.decode``: it sniffs the format, refuses what would take too long or too
much memory (``limits``, before the pixels are decoded; ``iso`` reads the boxes of AVIF and
HEIC for it) and returns a ``DecodedImage`` in 8-bit RGB (``modes``).
``dct`` holds the 8x8 block transform the JPEG-aware signals share; ``jpeg_quality``
estimates the quality a JPEG was last saved at from its quantisation tables.
"""
