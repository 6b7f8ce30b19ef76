"""Training and measuring the networks; nothing here runs while the detector serves.

- ``train``: ``fakecheck train``, the ELA-CNN from the dataset manifests: ``manifest``
  reads them and splits by source photo, ``examples`` makes labelled training images
  (with ``tamper``'s forgeries of camera photos), ``holdout`` writes the fixed
  validation and test sets;
- ``face_train``: ``fakecheck train-faces``, Meso-4 on real and GAN faces;
- ``evaluate``: ``fakecheck evaluate``, the detector's figures on a manifest.

Start from ``train.train_and_evaluate``, which ``model.cli`` calls.
"""
