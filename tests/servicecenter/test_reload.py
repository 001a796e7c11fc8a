"""SIGHUP on a real `servicecenter serve`: a valid rule file takes over, a broken one is refused and logged."""

import shutil
import signal
import time
import urllib.parse
from pathlib import Path

from config import CONFIG_DIR

SWITCHBOARD_CALL = "/api/v1/route?" + urllib.parse.urlencode(
    {"called": "+49 2671 61-0", "at": "2026-11-23T09:30:00+01:00"}
)


def _wait_for(condition, what: str, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_sighup_reloads_a_valid_rule_file_and_refuses_a_broken_one(start_service, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    shutil.copy(CONFIG_DIR / "routing" / "emh.yaml", rules)
    service = start_service(SERVICECENTER_RULES_FILE=str(rules))
    assert service.get_json(SWITCHBOARD_CALL)["target"]["uri"] == "sip:emh-cochem-zell@pbx.local"

    text = rules.read_text(encoding="utf-8")
    rules.write_text(
        text.replace("sip:emh-cochem-zell@pbx.local", "sip:cochem@acd.example"), encoding="utf-8"
    )
    service.process.send_signal(signal.SIGHUP)
    _wait_for(
        lambda: service.get_json(SWITCHBOARD_CALL)["target"]["uri"] == "sip:cochem@acd.example", "reload"
    )
    assert any(line["event"] == "rules_reloaded" for line in service.log_lines())

    broken = text.replace("target: closed-switchboard", "target: no-such-target").replace(
        "    fallback: emh-all\n", "    fallback: nowhere\n", 1
    )
    rules.write_text(broken, encoding="utf-8")
    service.process.send_signal(signal.SIGHUP)
    refused = _wait_for(
        lambda: [line for line in service.log_lines() if line["event"] == "rules_reload_refused"], "refusal"
    )
    problems = [line["problem"] for line in service.log_lines() if line["event"] == "rules_problem"]
    assert refused[0]["problems"] == len(problems) >= 2
    assert any("no-such-target" in problem for problem in problems)
    assert any("nowhere" in problem for problem in problems)
    assert service.get_json(SWITCHBOARD_CALL)["target"]["uri"] == "sip:cochem@acd.example"
    assert service.process.poll() is None
