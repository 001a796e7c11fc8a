"""The web UI for people: agent console, switchboard lookup and routing view, server-rendered in German.

Templates are Jinja2 (aiohttp-jinja2), static files are served by aiohttp from `static/`; there is no
front-end build step and nothing is loaded from elsewhere. Handlers live in `pages.py`.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

__all__ = ["STATIC_DIR", "setup_templates"]

UI_DIR = Path(__file__).resolve().parent
STATIC_DIR = UI_DIR / "static"


def setup_templates(app: web.Application) -> None:
    """Jinja2 with autoescaping; `pages.render` gives every template `request` and `messages`."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(UI_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
