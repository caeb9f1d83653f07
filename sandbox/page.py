"""The sandbox's one page (page.html: inline CSS and vanilla JS, no build step)."""

from __future__ import annotations

from importlib.resources import files

PAGE = files("sandbox").joinpath("page.html").read_text(encoding="utf-8")
