"""The built site in a real browser (Debian's Chromium), served by `peil serve` on loopback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from peil.build import build


@pytest.fixture
def served(starter: Path, serve: Callable[[Path], str]) -> str:
    build(starter)
    return serve(starter)


def test_report_renders_its_charts_without_network(served: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(served) else outside.append(request.url))
    page.goto(served)
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=15000)
    assert "60.386" in page.inner_text("body")  # Roeselare's inhabitants on 1 January 2015, Dutch format
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    assert outside == []
    page.close()
