"""Default configuration shipped with the service: settings, routing rules, demo catalogue.

The files live beside this module so that a checkout and an installed wheel find them the same way.
"""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent

__all__ = ["CONFIG_DIR"]
