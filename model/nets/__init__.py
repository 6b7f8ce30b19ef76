"""The networks (Flax NNX) and everything needed to run them as the detector does.

- ``network``: the ELA-CNN (``ElaNet``) on the error levels of ``model.signals.ela``;
  ``inference`` runs it on a batch of images; ``weights`` loads and saves it with its
  calibration from ``model/weights/``;
- ``meso``: Meso-4, the face network; ``face_model`` loads, saves and runs it;
- ``checkpoint``: the file format both share; ``calibration``: logits to probabilities and
  the bands' thresholds; ``compiled``: the networks compiled once (XLA) and cached on disk.

Start from ``weights.load`` and ``inference.start``, as ``model.detector`` does. Importing
this package imports nothing; most of its modules import JAX.
"""
