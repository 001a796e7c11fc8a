"""docs/telephony.md lists every setting of config/telephony/kamailio.cfg with its default."""

from __future__ import annotations

import re
from pathlib import Path

from config import CONFIG_DIR

DOCS = Path(__file__).resolve().parents[2] / "docs" / "telephony.md"


def test_every_kamailio_define_is_in_the_settings_table_with_its_default() -> None:
    cfg = (CONFIG_DIR / "telephony" / "kamailio.cfg").read_text(encoding="utf-8")
    defaults = dict(re.findall(r"^#!ifndef (\w+)\n#!define \1 (.+)$", cfg, re.MULTILINE))
    docs = DOCS.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([A-Z_]+)` \| `(.+?)` \|", docs, re.MULTILINE))
    assert len(defaults) == 8
    assert documented == defaults
