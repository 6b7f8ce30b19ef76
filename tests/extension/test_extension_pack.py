"""``make extension``: one zip for Chrome, one for Firefox, the same code in both."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.extension.conftest import EXTENSION


def test_chrome_and_firefox_zips(tmp_path):
    subprocess.run([sys.executable, EXTENSION / "pack.py", tmp_path], check=True)
    version = json.loads((EXTENSION / "manifest.json").read_text())["version"]
    chrome = zipfile.ZipFile(tmp_path / f"fakecheck-chrome-{version}.zip")
    firefox = zipfile.ZipFile(tmp_path / f"fakecheck-firefox-{version}.zip")
    assert sorted(chrome.namelist()) == sorted(firefox.namelist())
    for name in chrome.namelist():
        if name != "manifest.json":
            assert chrome.read(name) == firefox.read(name)
    assert {"service-worker.js", "sw-image.js", "content/overlay.js"} <= set(chrome.namelist())
    assert not [name for name in chrome.namelist() if name.startswith(("test/", "pack", "package"))]
    chrome_manifest = json.loads(chrome.read("manifest.json"))
    firefox_manifest = json.loads(firefox.read("manifest.json"))
    assert chrome_manifest["background"] == {
        "service_worker": "service-worker.js",
        "type": "module",
    }
    assert firefox_manifest["background"]["scripts"] == ["service-worker.js"]
    gecko = firefox_manifest["browser_specific_settings"]["gecko"]
    assert gecko["id"] and gecko["data_collection_permissions"]["required"] == ["websiteContent"]
    for manifest in (chrome_manifest, firefox_manifest):
        assert manifest["manifest_version"] == 3
        for path in (manifest["action"]["default_popup"], manifest["options_ui"]["page"]):
            assert path in chrome.namelist()
