"""The networks (Flax NNX, and the pretrained encoder in onnxruntime) and everything
needed to run them as the detector does.

- ``network``: the ELA-CNN (``ElaNet``) on the error levels of ``model.signals.ela``;
  ``inference`` runs it on a batch of images; ``weights`` loads and saves it with its
  calibration from ``model/weights/``;
- ``backbone``: the pretrained image encoder (CLIP ViT-B/16's image half) whose middle
  layers the AI signals read; ``probe``: the heads trained here on its features, one per
  AI signal;
- ``checkpoint``: the file format the trained networks share; ``calibration``: logits to
  probabilities and the bands' thresholds; ``compiled``: the networks compiled once (XLA)
  and cached on disk.

Start from ``model.findings.Networks.load``, which loads them all. Importing this package
imports nothing; most of its modules import JAX.
"""
