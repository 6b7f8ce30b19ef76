"""Settings: defaults, then file, then environment, then flags; bad ones fail at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import ConfigError, ServiceConfig, load_config
from storage.urls import POSTGRESQL, SQLITE, StoreUrl


def test_defaults_match_the_contract():
    config = load_config()
    assert (config.host, config.port) == ("127.0.0.1", 8080)
    assert config.store == StoreUrl(SQLITE, "var/fakecheck.sqlite3")
    assert config.max_body_bytes == 20 * 1024 * 1024
    assert config.store_images is False and config.fetch_allow_loopback is False
    assert config.detector_config().decode.max_pixels == config.max_pixels


def test_file_then_environment_then_flags(tmp_path):
    path = tmp_path / "fakecheck.toml"
    path.write_text('port = 9000\nhost = "0.0.0.0"\napi_keys = ["a", "b"]\nstore_images = true\n')
    environ = {"FAKECHECK_PORT": "9100", "FAKECHECK_RATE_PER_SECOND": "0.5", "HOME": "/x"}
    config = load_config(path, environ, host=None, data_dir=tmp_path)
    assert config == ServiceConfig(
        host="0.0.0.0",
        port=9100,
        api_keys=("a", "b"),
        store_images=True,
        rate_per_second=0.5,
        data_dir=tmp_path,
    )
    assert load_config(None, {"FAKECHECK_API_KEYS": "k1, k2,"}).api_keys == ("k1", "k2")
    assert load_config(None, {"FAKECHECK_STORE_IMAGES": "no"}).store_images is False
    assert load_config(path, environ, port=1).port == 1


@pytest.mark.parametrize(
    "environ",
    [
        {"FAKECHECK_PORTT": "1"},
        {"FAKECHECK_PORT": "eighty"},
        {"FAKECHECK_PORT": "70000"},
        {"FAKECHECK_STORE_IMAGES": "maybe"},
        {"FAKECHECK_WORKERS": "0"},
        {"FAKECHECK_MAX_BODY_BYTES": "-1"},
        {"FAKECHECK_BODY_TIMEOUT_S": "0"},
        {"FAKECHECK_MULTIPART_MAX_PARTS": "0"},
        {"FAKECHECK_RATE_PER_SECOND": "nan"},  # would pass every bound, and mean no limit
        {"FAKECHECK_BODY_TIMEOUT_S": "inf"},
    ],
)
def test_bad_settings_fail_at_start(environ):
    with pytest.raises(ConfigError):
        load_config(None, environ)


def test_a_value_out_of_bounds_is_named_with_its_bound():
    with pytest.raises(ConfigError, match="setting workers must be at least 1"):
        load_config(workers=0)
    with pytest.raises(ConfigError, match="setting port must be at most 65535"):
        load_config(None, {"FAKECHECK_PORT": "65536"})
    with pytest.raises(ConfigError, match="setting body_timeout_s must be more than 0"):
        load_config(body_timeout_s=0.0)
    with pytest.raises(ConfigError, match="setting rate_per_second must be at least 0"):
        ServiceConfig(rate_per_second=-1.0)


def test_unreadable_file_fails_at_start(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("port = ")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(path, {})
    with pytest.raises(ConfigError, match="whole number"):
        load_config(None, {}, port=1.5)


def test_compile_cache_reaches_the_detector(tmp_path):
    assert load_config().detector_config().compile_cache_dir == ServiceConfig().compile_cache_dir
    config = load_config(None, {"FAKECHECK_COMPILE_CACHE_DIR": str(tmp_path)})
    assert config.detector_config().compile_cache_dir == tmp_path
    off = load_config(None, {"FAKECHECK_COMPILE_CACHE_DIR": ""})
    assert off.detector_config().compile_cache_dir is None


def test_store_url_names_sqlite_or_postgresql():
    assert load_config(None, {"FAKECHECK_STORE_URL": "sqlite:///srv/f.sqlite3"}).store == StoreUrl(
        SQLITE, "srv/f.sqlite3"
    )
    assert load_config(store_url="sqlite:////srv/f.sqlite3").store.path == Path("/srv/f.sqlite3")
    url = "postgresql://fakecheck@db.internal/fakecheck"
    assert load_config(store_url=url).store == StoreUrl(POSTGRESQL, url)
    for wrong in ("mysql://db/x", "sqlite://relative", "var/fakecheck.sqlite3"):
        with pytest.raises(ConfigError, match="store_url"):
            load_config(store_url=wrong)
