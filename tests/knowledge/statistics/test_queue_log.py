"""Reading queue_log lines: the events the statistics use, the caller id handed over and dropped, every
malformed line named."""

import pytest

from knowledge.statistics.queue_log import EventKind, QueueLogError, event_id, parse_queue_log

NOW = 1_772_600_000
SEEN: list[tuple[str, str, str]] = []


def _classify(pool: str, url: str, caller: str) -> tuple[str, str]:
    SEEN.append((pool, url, caller))
    return ("115", "07233") if caller else ("", "")


def _parse(text: str):
    return parse_queue_log(text, now=NOW, classify=_classify)


def test_used_events_keep_their_times_and_nothing_of_the_caller() -> None:
    SEEN.clear()
    events, lines, ignored = _parse(
        "1772521260|c1|emh-all|NONE|ENTERQUEUE|https://x/?called=115|06592 4711993|1\n"
        "\n"
        "1772521272|c1|emh-all|SIP/someone|CONNECT|12|c1b|3\r\n"
        "1772521280|c1|emh-all|SIP/someone|RINGNOANSWER|15000\n"
        "1772521452|c1|emh-all|SIP/someone|COMPLETECALLER|12|180|1\n"
        "1772521500|c2|emh-all|NONE|EXITWITHKEY|5|1\n"
    )
    assert (lines, ignored) == (5, 1)
    assert [(e.kind, e.call, e.wait_s, e.talk_s, e.line, e.county) for e in events] == [
        (EventKind.enter, "c1|emh-all", 0, 0, "115", "07233"),
        (EventKind.connect, "c1|emh-all", 12, 0, "", ""),
        (EventKind.complete, "c1|emh-all", 12, 180, "", ""),
        (EventKind.exit, "c2|emh-all", 0, 0, "", ""),
    ]
    assert SEEN == [("emh-all", "https://x/?called=115", "06592 4711993")]
    assert all("4711993" not in repr(e) for e in events)


def test_a_line_is_known_again_by_its_hash_whatever_its_line_end() -> None:
    first, _, _ = _parse("1772521272|c1|emh-all|SIP/a|CONNECT|12|c1b|3\n")
    again, _, _ = _parse("1772521272|c1|emh-all|SIP/a|CONNECT|12|c1b|3  \r\n")
    assert first[0].id == again[0].id == event_id("1772521272|c1|emh-all|SIP/a|CONNECT|12|c1b|3")
    assert -(2**63) <= first[0].id < 2**63


def test_every_malformed_line_is_named() -> None:
    with pytest.raises(QueueLogError) as raised:
        _parse(
            "1772521260|c1|emh-all|NONE|ENTERQUEUE||x|1\n"
            "nonsense\n"
            "17725212xx|c1|emh-all|NONE|CONNECT|12\n"
            "1772521260|c1|emh-all|NONE|queue start\n"
            "1772521260|c1|emh-all|NONE|CONNECT|lange\n"
            "1772521260|c1|emh-all|NONE|COMPLETEAGENT|12\n"
            "1772521260||emh-all|NONE|CONNECT|12\n"
            "1772521260|c1|../etc|NONE|CONNECT|12\n"
            "946684799|c1|emh-all|NONE|CONNECT|12\n"
            "1772521260|NONE|NONE|NONE|QUEUESTART|\n"
        )
    assert [n for n, _ in raised.value.problems] == [2, 3, 4, 5, 6, 7, 8, 9]
