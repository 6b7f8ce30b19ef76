import io
from concurrent.futures import ThreadPoolExecutor

import jax.numpy as jnp
import numpy as np
from flax import nnx
from PIL import Image

from model.image import dct
from model.nets import inference, network
from model.nets.compiled import Frozen
from model.nets.network import ElaNet, NetworkSpec
from model.signals import ela
from tests.images import decoded, jpeg, scene


def test_quant_tables_match_pillow():
    for quality in (50, 75, 90, 95):
        data = jpeg(scene(1, 64, 64), quality)
        stored = np.array(Image.open(io.BytesIO(data)).quantization[0]).reshape(8, 8)
        np.testing.assert_array_equal(stored, dct.quant_table(quality))


def test_dct_round_trip():
    plane = np.random.default_rng(0).uniform(0, 255, (32, 48)).astype(np.float32)
    blocks = dct.to_blocks(plane)
    back = dct.from_blocks(dct.block_idct(dct.block_dct(blocks)) + 128.0)
    np.testing.assert_allclose(back, plane, atol=1e-3)


def test_pasted_region_saved_at_other_quality_shows_higher_error():
    """The known answer of ELA: a region with another compression history stands out.

    The photo was saved at 75, a region from a photo saved at 95 pasted in, the whole saved
    again at 95: re-saved at 75, the photo barely changes, the pasted region does."""
    background = decoded(jpeg(scene(2), 75))
    patch = decoded(jpeg(scene(3), 95))
    forged = background.copy()
    forged[96:160, 128:224] = patch[96:160, 128:224]
    image = decoded(jpeg(forged, 95))
    mosaic = ela.make_mosaic(image, max_cells=64)
    error = np.asarray(
        jnp.abs(dct.from_blocks(dct.block_idct(ela.residuals(dct.luma(mosaic.pixels), 75))))
    )
    inside = error[96:160, 128:224].mean()
    outside = np.concatenate([error[:80].ravel(), error[176:].ravel()]).mean()
    assert inside > 1.5 * outside


def test_dct_residual_matches_a_real_resave():
    """The DCT-domain error is the error of re-saving with Pillow (luma, no subsampling),
    up to the decoder's rounding to whole pixel values: compared per block."""
    image = decoded(jpeg(scene(4), 80))
    luma = np.asarray(Image.fromarray(image).convert("L"), np.float32)
    resaved = np.asarray(Image.open(io.BytesIO(_save_gray(luma.astype(np.uint8), 90))), np.float32)
    pillow_error = np.abs(luma - resaved)[: luma.shape[0] // 8 * 8, : luma.shape[1] // 8 * 8]
    ours = np.abs(np.asarray(dct.from_blocks(dct.block_idct(ela.residuals(jnp.asarray(luma), 90)))))
    per_block = [dct.to_blocks(e).mean(axis=(2, 3)).ravel() for e in (pillow_error, ours)]
    correlation = np.corrcoef(*per_block)[0, 1]
    assert correlation > 0.9


def _save_gray(plane: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(plane, "L").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def test_jpeg_ghost_marks_the_last_quality():
    """Blocks last saved at quality q sit on q's lattice: the off-lattice feature dips there."""
    qualities = (65, 75, 85, 95)
    image = decoded(jpeg(scene(5), 75))
    mosaic = ela.make_mosaic(image, max_cells=64)
    feats = np.asarray(ela.features(dct.luma(mosaic.pixels), qualities))
    off = feats[..., 2::2].mean(axis=(0, 1))  # per quality: mean distance off the lattice
    assert int(np.argmin(off)) == qualities.index(75)
    assert off.min() < 0.5 * np.delete(off, qualities.index(75)).min()


def test_large_image_is_sampled_on_its_own_grid():
    image = scene(6, 1200, 1600)
    mosaic = ela.make_mosaic(image, max_cells=48)
    assert mosaic.factor == 5
    assert mosaic.grid == (1200 // 8 // 5, 1600 // 8 // 5)
    # Every sampled block starts on the file's 8x8 grid.
    assert (mosaic.rows[::8] % 8 == 0).all() and (mosaic.cols[::8] % 8 == 0).all()
    np.testing.assert_array_equal(mosaic.pixels, mosaic.sample(image))


def test_single_and_batched_network_runs_agree():
    network = Frozen.of(ElaNet(NetworkSpec((75, 90)), nnx.Rngs(0)))
    mosaics = [ela.make_mosaic(scene(seed, 200 + 40 * seed, 300), 48) for seed in range(3)]
    batched = inference.run(network, mosaics)
    for mosaic, together in zip(mosaics, batched):
        alone = inference.run(network, [mosaic])[0]
        assert alone.cells.shape == mosaic.grid
        np.testing.assert_allclose(alone.logit, together.logit, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(alone.cells, together.cells, rtol=1e-4, atol=1e-4)


def test_masked_median_matches_numpy_over_the_valid_cells():
    rng = np.random.default_rng(3)
    levels = rng.normal(0, 3, (4, 6, 7, 5)).astype(np.float32)
    levels[1] = np.round(levels[1])  # ties
    valid = (rng.random((4, 6, 7)) > 0.4).astype(np.float32)
    valid[2, :, :] = 0  # an image with no valid cell
    valid[3, :, :] = 0
    valid[3, 0, :2] = 1  # two cells: the mean of both
    got = np.asarray(network.masked_median(jnp.asarray(levels), jnp.asarray(valid)))
    for b in range(4):
        cells = levels[b][valid[b] > 0]
        want = np.median(cells, axis=0) if len(cells) else np.zeros(5)
        np.testing.assert_allclose(got[b], want, rtol=1e-6)


def test_the_network_runs_from_two_threads_at_once():
    frozen = Frozen.of(ElaNet(NetworkSpec((75, 90)), nnx.Rngs(0)))
    mosaics = [ela.make_mosaic(scene(seed, 240, 320), 48) for seed in range(4)]
    alone = [inference.run(frozen, [mosaic])[0].logit for mosaic in mosaics]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda m: inference.run(frozen, [m])[0].logit, mosaics * 3))
    np.testing.assert_allclose(together, alone * 3, rtol=1e-5)
