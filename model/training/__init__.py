"""Training and measuring the networks; nothing here runs while the detector serves.

- ``train``: ``fakecheck train``, the ELA-CNN from the dataset manifests: ``manifest``
  reads them and splits by source photo, ``examples`` makes labelled training images
  (with ``tamper``'s forgeries of camera photos), ``holdout`` writes the fixed
  validation and test sets;
- ``probe_train``: ``fakecheck train-ai``, the probes of the AI signals on the pretrained
  encoder, from whole pictures and faces (``views`` makes their changed copies,
  ``face_search`` measures how often the face search finds a face);
- ``fusion_train``: ``fakecheck train-fusion``, the stack weighing the learned signals
  together, on the validation sets of all three;
- ``evaluate``: ``fakecheck evaluate``, the detector's figures on a manifest.

Run in that order: the fusion weighs what the networks say. Start from
``train.train_and_evaluate``, ``probe_train.train_probes`` and
``fusion_train.train_fusion``, which ``model.cli`` calls.
"""
