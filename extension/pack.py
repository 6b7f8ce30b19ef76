"""``make extension``: the same code zipped for Chrome and for Firefox.

Firefox's Manifest V3 runs background scripts rather than a service worker and wants an
add-on id; both manifests come from ``manifest.json`` so the code exists once.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# What builds and tests the extension, not the extension itself.
LEFT_OUT = {"pack.py", "package.json", "test", "__pycache__"}
GECKO_ID = "fakecheck@fakecheck.example"


def firefox(manifest: dict) -> dict:
    worker = manifest["background"]["service_worker"]
    gecko = {
        "id": GECKO_ID,
        "strict_min_version": "128.0",
        # Declared to addons.mozilla.org: the images of pages go to the service for checking.
        "data_collection_permissions": {"required": ["websiteContent"]},
    }
    return {
        **manifest,
        "background": {"scripts": [worker], "type": "module"},
        "browser_specific_settings": {"gecko": gecko},
    }


def shipped() -> list[Path]:
    return sorted(
        file
        for file in HERE.rglob("*")
        if file.is_file()
        and file.name != "manifest.json"
        and not LEFT_OUT.intersection(file.relative_to(HERE).parts)
    )


def pack(target: Path, manifest: dict) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for file in shipped():
            archive.write(file, file.relative_to(HERE).as_posix())


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((HERE / "manifest.json").read_text())
    version = manifest["version"]
    for browser, shaped in (("chrome", manifest), ("firefox", firefox(manifest))):
        target = out / f"fakecheck-{browser}-{version}.zip"
        pack(target, shaped)
        print(target)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/extension"))
