"""Serve a rendered site over HTTP on this machine, for `peil serve`. Static files only, no directory listings;
nothing is logged."""

from __future__ import annotations

import functools
import io
import os
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from peil.errors import ReportError


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the files of one folder; writes no request log (the caller decides what to print). A folder is
    served as its index.html; a folder without one answers 404, never a listing of its files."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


def make_server(site: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """An HTTP server for the folder `site`, bound to `host`:`port` (port 0 picks a free port; the bound
    address is ``server.server_address``). Call ``serve_forever()`` on it, and ``shutdown()`` to stop.

    Raises ReportError when `site` holds no index.html, or when the address cannot be bound.
    """
    if not (site / "index.html").is_file():
        raise ReportError(f"no site in {site}: it has no index.html", hint="Run `peil build` first.")
    handler = functools.partial(_SiteHandler, directory=str(site))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise ReportError(
            f"cannot serve on {host}:{port}: {exc.strerror or exc}",
            hint="Another program may use this port; choose another with --port.",
        ) from None
