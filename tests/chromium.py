"""The browser the extension and page tests drive, and where their screenshots go."""

from __future__ import annotations

from pathlib import Path

# Debian's Chromium, driven by Playwright (its own browser download has no network here).
CHROMIUM = "/usr/bin/chromium"
# Flags for a machine with no network beyond loopback (see the Makefile's chromium target).
CHROMIUM_QUIET = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path("var/screenshots")
