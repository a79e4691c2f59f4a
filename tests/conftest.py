"""Shared fixtures: real workspaces in temporary folders, built with the real pipeline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

STARTER = Path(__file__).parents[1] / "src" / "peil" / "starter"


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A fresh copy of the `peil init` starter workspace (real Statbel data), not yet built."""
    root = tmp_path / "ws"
    shutil.copytree(STARTER, root)
    config = root / "peil.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("{name}", "Test").replace("{municipality}", "36015"),
        encoding="utf-8",
    )
    return root


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's headless Chromium driven by Playwright; skipped where it is not installed, unless CI requires it."""
    if not CHROMIUM.exists():
        if os.environ.get("PEIL_REQUIRE_BROWSER"):
            pytest.fail("PEIL_REQUIRE_BROWSER is set but /usr/bin/chromium is missing (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
