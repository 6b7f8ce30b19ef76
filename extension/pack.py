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
SHIPPED = ["service-worker.js", "sw-menu.js", "sw-check.js", "lib", "content", "pages", "icons"]
GECKO_ID = "fakecheck@fakecheck.example"


def firefox(manifest: dict) -> dict:
    worker = manifest["background"]["service_worker"]
    return {
        **manifest,
        "background": {"scripts": [worker], "type": "module"},
        "browser_specific_settings": {"gecko": {"id": GECKO_ID, "strict_min_version": "128.0"}},
    }


def pack(target: Path, manifest: dict) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name in SHIPPED:
            path = HERE / name
            for file in sorted([path] if path.is_file() else path.rglob("*")):
                if file.is_file():
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
