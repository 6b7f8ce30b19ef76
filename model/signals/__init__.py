"""The signals: each reads one kind of evidence from a decoded image and reports it as a
``result.SignalResult`` (score, findings in words, details, optionally a mask).

- ``ela``: error levels on the JPEG block grid, the input of the ELA-CNN (``model.nets``);
- ``clone``: regions copied within the image (``detect_copy_move``);
- ``metadata``: what EXIF, XMP and the JPEG tables say of the file's history;
- ``provenance``: what the file declares about how it was made (C2PA, IPTC, generators);
- ``faces`` finds and crops faces, which ``synthetic_face`` judges.

Start from ``model.detector``, which runs them all on each image and hands their results
to ``model.bands``.
"""
