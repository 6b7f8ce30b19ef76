"""Meso-4: the small CNN that judges whether a face crop shows a person who does not exist.

Four convolution blocks with batch norm and pooling read the mesoscopic texture GAN
generators leave in skin, hair and eyes, then a 16-unit dense head (Afchar et al., 2018).
One logit out. The published network reads 256x256 crops (about 28k parameters); here
the input side is a setting (``FaceConfig.input_size``), and the dense head follows it:
the four poolings divide the side by 32.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx


class Meso4(nnx.Module):
    def __init__(self, rngs: nnx.Rngs, input_size: int, dropout: float = 0.5):
        self.convs = nnx.List(
            [
                nnx.Conv(3, 8, (3, 3), rngs=rngs),
                nnx.Conv(8, 8, (5, 5), rngs=rngs),
                nnx.Conv(8, 16, (5, 5), rngs=rngs),
                nnx.Conv(16, 16, (5, 5), rngs=rngs),
            ]
        )
        self.norms = nnx.List([nnx.BatchNorm(c, rngs=rngs) for c in (8, 8, 16, 16)])
        cells = input_size // 32
        self.hidden = nnx.Linear(cells * cells * 16, 16, rngs=rngs)
        self.out = nnx.Linear(16, 1, rngs=rngs)
        self.dropout = nnx.Dropout(dropout, rngs=rngs)

    def __call__(self, images: jax.Array) -> jax.Array:
        """Logits (N,) for images (N, input_size, input_size, 3) scaled to [0, 1]."""
        x = images
        for block, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            x = norm(jax.nn.relu(conv(x)))
            window = 4 if block == 3 else 2
            x = nnx.max_pool(x, (window, window), strides=(window, window))
        x = self.dropout(x.reshape(x.shape[0], -1))
        x = self.dropout(jax.nn.leaky_relu(self.hidden(x), 0.1))
        return self.out(x)[:, 0]


def parameter_count(model: Meso4) -> int:
    return sum(jnp.size(p) for p in jax.tree.leaves(nnx.state(model, nnx.Param)))
