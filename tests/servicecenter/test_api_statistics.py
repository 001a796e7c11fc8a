"""Call statistics over HTTP: a realistic day of Asterisk's queue_log in, exactly the hand-computed figures out.

tests/servicecenter/data/queue_log_day.txt is Tuesday 3 March 2026 (CET) of a small center, one event a
line as Asterisk writes it. Every call, and what it adds (wait in s; "≤30" answered within 30 s, "≤5"
abandoned within 5 s):

| call | entered | pool | line (from Queue()'s URL) | county | end |
| --- | --- | --- | --- | --- | --- |
| orphan | 07:59:50 (no ENTERQUEUE: from CONNECT 08:00:10 − 20 s) | vulkaneifel | unknown | 07233 (pool) | answered 20 ≤30 |
| 1 | 08:01 | vulkaneifel | 115 | 07233 (pool) | answered 12 ≤30 |
| 2 | 08:02 | vulkaneifel | 115 | 07233 | answered 45 |
| 3 | 08:05 | cochem-zell | switchboard 07135 | 07135 | abandoned 3 ≤5 |
| 4 | 08:07 | emh-all | 115 | unknown (mobile) | abandoned 20 |
| 5 | 08:10 | bitburg-pruem | switchboard 07232 | 07232 | answered 30 ≤30 |
| 6 | 08:16 | vulkaneifel | 115 | 07233 | exited (timeout) after 300 |
| 6 again | 08:21 | emh-all | 115 | 07233 (area code 06592) | answered 10 ≤30 |
| 7 | 08:20 | bernkastel-wittlich | switchboard 07231 | 07231 | answered 5 ≤30 |
| 8 | 08:25 | cochem-zell | 115 | 07135 | abandoned 4 ≤5 |
| 9 | 09:03 | vulkaneifel | 115 | 07233 | answered 25 ≤30 |
| 10 | 09:05 | vulkaneifel | 115 | 07233 | abandoned 61 |
| 11 | 17:58 | emh-all | unknown (no URL) | unknown (Berlin caller) | answered 90 |

offered 13, answered 8, within 30 s 6, abandoned 4, within 5 s 2: service level 6 / (13 − 2) = 0.5455;
mean wait of the answered (20+12+45+30+10+5+25+90)/8 = 29.6 s; longest wait 300 s (call 6's timeout).
"""

import asyncio
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, Text, func, select
from sqlmodel import SQLModel

from knowledge.calendar import BERLIN
from knowledge.statistics.models import CallCount, PendingCall, SeenEvent
from knowledge.storage.db import create_engine
from servicecenter.app import create_app
from servicecenter.keys import SESSIONMAKER, STATS_RECORDER

DAY = (Path(__file__).parent / "data" / "queue_log_day.txt").read_text(encoding="utf-8")
DATE = "2026-03-03"
CALLER_DIGITS = "47119"
"""Every caller number of the fixture holds these digits; agents are Zwackelmann and anna.schmidt."""
TEXT = {"Content-Type": "text/plain"}


def _today() -> str:
    return dt.datetime.now(BERLIN).date().isoformat()


async def _ingest(client, headers: dict, text: str, status: int = 200) -> dict:
    response = await client.post("/api/v1/acd/events", data=text.encode(), headers={**headers, **TEXT})
    assert response.status == status, await response.text()
    return await response.json()


async def _stats(client, headers: dict, day: str = DATE, **params) -> dict:
    response = await client.get("/api/v1/stats", params={"from": day, "to": day, **params}, headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


def _calls(figures: dict) -> tuple:
    return tuple(
        figures[k]
        for k in (
            "offered",
            "answered",
            "answered_within_30s",
            "abandoned",
            "abandoned_within_5s",
            "service_level",
        )
    )


@pytest.fixture
async def users(make_user) -> dict:
    return {
        "pbx": await make_user("telefonanlage", "pbx"),
        "lead": await make_user("teamleitung", "supervisor"),
        "agent": await make_user("auskunft", "agent"),
    }


async def test_a_realistic_day_gives_exactly_the_hand_computed_figures(client, users) -> None:
    result = await _ingest(client, users["pbx"], DAY)
    assert result == {"lines": 37, "events": 33, "counted": 33, "duplicates": 0, "too_old": 0, "ignored": 4}

    totals = (await _stats(client, users["lead"]))["totals"]
    assert _calls(totals) == (13, 8, 6, 4, 2, 0.5455)
    assert (totals["avg_wait_s"], totals["max_wait_s"], totals["exited"]) == (29.6, 300, 1)
    assert totals["avg_talk_s"] == round((200 + 180 + 240 + 60 + 150 + 90 + 300 + 120) / 8, 1)
    assert (totals["tickets_created"], totals["tickets_due"], totals["tickets_on_time"]) == (0, 0, 0)

    by_county = {
        c: _calls((await _stats(client, users["lead"], county=c))["totals"]) for c in ("07233", "07135")
    }
    assert by_county == {"07233": (7, 5, 4, 1, 0, 0.5714), "07135": (2, 0, 0, 2, 2, None)}
    by_line = {
        kind: _calls((await _stats(client, users["lead"], line=kind))["totals"])
        for kind in ("115", "switchboard")
    }
    assert by_line == {"115": (8, 4, 3, 3, 1, 0.4286), "switchboard": (3, 2, 2, 1, 1, 1.0)}
    assert _calls((await _stats(client, users["lead"], pool="emh-all"))["totals"]) == (3, 2, 1, 1, 0, 0.3333)

    hours = (await _stats(client, users["lead"], by="hour"))["series"]
    assert len(hours) == 24
    assert hours[7]["start"] == "2026-03-03T07:00:00+01:00"
    assert {h["start"][11:13]: h["offered"] for h in hours if h["offered"]} == {
        "07": 1,
        "08": 9,
        "09": 2,
        "17": 1,
    }


async def test_sending_lines_again_counts_nothing_twice(client, users) -> None:
    await _ingest(client, users["pbx"], DAY)
    before = await _stats(client, users["lead"], by="hour")
    again = await _ingest(client, users["pbx"], DAY)
    assert (again["counted"], again["duplicates"]) == (0, 33)
    lines = DAY.splitlines(keepends=True)
    for start in range(0, len(lines), 7):  # resent in other pieces, as a restarted forwarder would
        assert (await _ingest(client, users["pbx"], "".join(lines[start : start + 7])))["counted"] == 0
    assert await _stats(client, users["lead"], by="hour") == before


async def test_lines_sent_in_pieces_count_as_one_text_does(client, users) -> None:
    lines = DAY.splitlines(keepends=True)
    for start in range(0, len(lines), 5):
        await _ingest(client, users["pbx"], "".join(lines[start : start + 5]))
    assert _calls((await _stats(client, users["lead"]))["totals"]) == (13, 8, 6, 4, 2, 0.5455)


async def test_a_malformed_line_is_named_and_nothing_is_stored(client, users, settings) -> None:
    lines = DAY.splitlines()
    lines[4] = "1772521272|1772521260.101|emh-vulkaneifel|SIP/x|CONNECT|zwölf|x|3"
    lines[9] = "kein queue_log"
    response = await client.post(
        "/api/v1/acd/events", data="\n".join(lines).encode(), headers={**users["pbx"], **TEXT}
    )
    assert response.status == 422
    problem = await response.json()
    assert [e["loc"] for e in problem["errors"]] == [["body", 5], ["body", 10]]
    assert "5, 10" in problem["detail"] and "nothing was stored" in problem["detail"]
    async with client.app[SESSIONMAKER]() as session:
        for table in (SeenEvent, PendingCall, CallCount):
            assert await session.scalar(select(func.count()).select_from(table)) == 0
    assert (await _stats(client, users["lead"]))["totals"]["offered"] == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"1772521260|c|emh-all|NONE|ENTERQUEUE||x|1", "application/json", 415),
        (b"\xff\xfe", "text/plain", 400),
        (b"99|c|emh-all|NONE|ENTERQUEUE||x|1", "text/plain", 422),
        (b"1772521260|c|emh all|NONE|ENTERQUEUE||x|1", "text/plain", 422),
        (b"1772521260||emh-all|NONE|ABANDON|1|1|3", "text/plain", 422),
        (b"1772521260|c|emh-all|NONE|ABANDON|1|1", "text/plain", 422),
        (b"4102444800|c|emh-all|NONE|ENTERQUEUE||x|1", "text/plain", 422),  # 2100: in the future
    ],
)
async def test_bad_bodies_are_refused(client, users, body: bytes, content_type: str, status: int) -> None:
    response = await client.post(
        "/api/v1/acd/events", data=body, headers={**users["pbx"], "Content-Type": content_type}
    )
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"


async def test_lines_older_than_the_dedupe_window_are_not_counted_and_old_hashes_are_pruned(
    client, users
) -> None:
    await _ingest(client, users["pbx"], DAY)
    nine_days_later = 1772521200 + 9 * 86_400
    late = f"{nine_days_later}|late.1|emh-all|NONE|ENTERQUEUE||+49304711990|1\n"
    assert (await _ingest(client, users["pbx"], late))["counted"] == 1
    assert (await _ingest(client, users["pbx"], DAY))["too_old"] == 33
    await client.app[STATS_RECORDER].prune()
    async with client.app[SESSIONMAKER]() as session:
        assert await session.scalar(select(func.count()).select_from(SeenEvent)) == 1
        pending = (await session.scalars(select(PendingCall.key))).all()
    assert pending == ["late.1|emh-all"]
    assert _calls((await _stats(client, users["lead"]))["totals"]) == (13, 8, 6, 4, 2, 0.5455)


async def _decide(client, **fields) -> str:
    response = await client.post("/api/v1/route", json=fields)
    assert response.status == 200, await response.text()
    return (await response.json())["decision_id"]


async def test_wrap_ups_give_the_first_contact_resolution(client, users) -> None:
    at = f"{DATE}T10:00:00+01:00"
    calls = [await _decide(client, called="115", caller="06592 4711993", at=at) for _ in range(4)]
    outcomes = [
        ("solved", "hundesteuer-anmelden"),
        ("solved", "hundesteuer-anmelden"),
        ("solved", None),
        ("forwarded", None),
    ]
    for decision, (outcome, service) in zip(calls, outcomes, strict=True):
        response = await client.post(
            f"/api/v1/decisions/{decision}/outcome",
            json={"outcome": outcome, "service_id": service},
            headers=users["agent"],
        )
        assert response.status == 200, await response.text()
        assert (await response.json())["replaced"] is False
    corrected = await client.post(
        f"/api/v1/decisions/{calls[2]}/outcome", json={"outcome": "misrouted"}, headers=users["agent"]
    )
    assert (await corrected.json())["replaced"] is True
    await client.app[STATS_RECORDER].flush()
    today = (await _stats(client, users["lead"], day=_today()))["totals"]
    assert today["outcomes"] == {"solved": 2, "forwarded": 1, "transferred": 0, "callback": 0, "misrouted": 1}
    assert today["first_contact_resolution"] == 0.5
    vulkaneifel = (await _stats(client, users["lead"], county="07233", day=_today()))["totals"]
    assert vulkaneifel["first_contact_resolution"] == 0.5
    assert (await _stats(client, users["lead"], county="07135", day=_today()))["totals"][
        "first_contact_resolution"
    ] is None


async def test_a_wrap_up_needs_a_known_call_and_service(client, users) -> None:
    decision = await _decide(client, called="115")
    unknown_call = await client.post(
        "/api/v1/decisions/nope/outcome", json={"outcome": "solved"}, headers=users["agent"]
    )
    assert unknown_call.status == 404
    unknown_service = await client.post(
        f"/api/v1/decisions/{decision}/outcome",
        json={"outcome": "solved", "service_id": "gibt-es-nicht"},
        headers=users["agent"],
    )
    assert unknown_service.status == 422
    bad_outcome = await client.post(
        f"/api/v1/decisions/{decision}/outcome", json={"outcome": "erledigt"}, headers=users["agent"]
    )
    assert bad_outcome.status == 422


async def test_routing_decisions_are_counted_by_line_county_and_hours(client, users) -> None:
    evening = f"{DATE}T20:00:00+01:00"
    morning = f"{DATE}T10:00:00+01:00"
    await _decide(client, called="115", caller="06592 4711993", at=morning)
    await _decide(client, called="+49 2671 61-0", at=morning)
    await _decide(client, called="115", caller="06592 4711993", at=evening)
    simulated = await client.post("/api/v1/route?simulate=true", json={"called": "115", "at": evening})
    assert simulated.status == 200
    await client.get(
        "/", params={"called": "115", "caller": "06592 4711993"}
    )  # the console shows, not counts
    await client.app[STATS_RECORDER].flush()
    totals = (await _stats(client, users["lead"]))["totals"]
    assert (totals["decisions"], totals["after_hours"], totals["overflow"], totals["callbacks"]) == (
        3,
        1,
        0,
        0,
    )
    switchboard = (await _stats(client, users["lead"], line="switchboard", county="07135"))["totals"]
    assert switchboard["decisions"] == 1
    hours = {
        h["start"][11:13]: h["decisions"] for h in (await _stats(client, users["lead"], by="hour"))["series"]
    }
    assert (hours["10"], hours["20"]) == (2, 1)


async def test_csv_carries_the_same_figures(client, users) -> None:
    await _ingest(client, users["pbx"], DAY)
    response = await client.get(
        "/api/v1/stats",
        params={"from": DATE, "to": DATE, "by": "hour", "format": "csv"},
        headers=users["lead"],
    )
    assert response.status == 200
    assert response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert len(rows) == 25
    assert rows[-1]["start"] == "total"
    assert (rows[-1]["offered"], rows[-1]["service_level"], rows[-1]["first_contact_resolution"]) == (
        "13",
        "0.5455",
        "",
    )
    assert rows[8]["start"] == "2026-03-03T08:00:00+01:00" and rows[8]["answered"] == "5"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-03-04", "to": "2026-03-03"},
        {"from": "2024-01-01", "to": "2026-03-03"},
        {"from": "2026-01-01", "to": "2026-06-30", "by": "hour"},
        {"by": "year"},
        {"county": "7233"},
        {"line": "fax"},
        {"from": "9999-12-31"},
        {"unknown": "1"},
    ],
)
async def test_bad_statistics_queries_are_refused(client, users, params: dict) -> None:
    response = await client.get("/api/v1/stats", params=params, headers=users["lead"])
    assert response.status == 422, await response.text()


@pytest.mark.parametrize(
    ("role", "status"), [("agent", 403), ("catalogue_editor", 403), ("pbx", 403), ("admin", 200)]
)
async def test_only_supervisors_and_admins_read_statistics(client, make_user, role: str, status: int) -> None:
    headers = await make_user(f"user-{role}", role)
    assert (await client.get("/api/v1/stats", headers=headers)).status == status
    assert (await client.get("/api/v1/stats")).status == 401


async def test_search_insights_count_queries_but_nothing_personal(client, make_user) -> None:
    editor = await make_user("redaktion", "catalogue_editor")
    for q in (
        "Schrottkarre",
        "schrottkarre!",
        "Hundesteuer Daun",
        "Hundesteuer",
        "Frau Zwackelmann",
        "Rückruf 0171 4711993",
        "zwackelmann@example.org",
    ):
        # every query from another client, so none is taken for the beginning of another
        response = await client.get("/api/v1/search", params={"q": q}, headers={"User-Agent": q})
        assert response.status == 200
    await client.get("/api/v1/search", params={"q": "Hundesteuer", "offset": 10})  # paging is no new search
    await client.app[STATS_RECORDER].flush(settle=True)
    response = await client.get("/api/v1/search/insights", headers=editor)
    assert response.status == 200
    insights = await response.json()
    assert [(q["query"], q["searches"]) for q in insights["zero_hit"]] == [("schrottkarre", 2)]
    assert [(q["query"], q["searches"]) for q in insights["frequent"]] == [
        ("hundesteuer", 2),
        ("schrottkarre", 2),
    ]
    assert (insights["searches"], insights["zero_hit_searches"]) == (4, 2)


async def test_typing_counts_the_query_once_it_settles(client, make_user) -> None:
    editor = await make_user("redaktion", "catalogue_editor")
    for typed in ("h", "hu", "hun", "hund", "hundes", "hundesteuer"):
        await client.get("/api/v1/search", params={"q": typed})
    await client.app[STATS_RECORDER].flush(settle=True)
    insights = await (await client.get("/api/v1/search/insights", headers=editor)).json()
    assert [(q["query"], q["searches"]) for q in insights["frequent"]] == [("hundesteuer", 1)]


async def test_no_table_keeps_a_caller_number_or_a_name(client, users, settings) -> None:
    await _ingest(client, users["pbx"], DAY)
    decision = await _decide(client, called="115", caller="+49 6592 4711993")
    await client.post(
        f"/api/v1/decisions/{decision}/outcome", json={"outcome": "solved"}, headers=users["agent"]
    )
    for q in ("Frau Zwackelmann", "0171 4711993", "zwackelmann@example.org", "Herr Schmidt Bauamt"):
        await client.get("/api/v1/search", params={"q": q}, headers={"User-Agent": q})
    await client.app[STATS_RECORDER].flush(settle=True)
    engine = create_engine(settings.database)
    found = []
    try:
        async with engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
                if not columns:
                    continue
                for row in await connection.execute(select(*columns)):
                    for column, value in zip(columns, row, strict=True):
                        text = json.dumps(value) if not isinstance(value, str) else value
                        if any(
                            bad in (text or "").casefold()
                            for bad in (CALLER_DIGITS, "zwackelmann", "schmidt")
                        ):
                            found.append((table.name, column.name, text))
    finally:
        await engine.dispose()
    assert found == []


async def test_two_instances_on_one_database_count_concurrent_ingests_correctly(
    aiohttp_client, settings, users
) -> None:
    first = await aiohttp_client(create_app(settings))
    second = await aiohttp_client(create_app(settings))
    lines = DAY.splitlines(keepends=True)
    calls: dict[str, list[str]] = {}
    for line in lines:
        calls.setdefault(line.split("|")[1], []).append(line)
    halves = ["".join(x for i, c in enumerate(calls.values()) if i % 2 == n for x in c) for n in (0, 1)]

    async def send(client, text: str) -> None:
        await _ingest(client, users["pbx"], text)

    # each instance gets half of the calls and, at the same time, the whole day again
    await asyncio.gather(send(first, halves[0]), send(second, halves[1]), send(first, DAY), send(second, DAY))
    totals = (await _stats(second, users["lead"]))["totals"]
    assert _calls(totals) == (13, 8, 6, 4, 2, 0.5455)
    assert (totals["avg_wait_s"], totals["max_wait_s"]) == (29.6, 300)
