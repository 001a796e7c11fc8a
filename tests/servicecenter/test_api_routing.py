"""The PBX's routing API over HTTP: decisions, notations, rtjson, pool state and overflow."""

import pytest

from servicecenter.keys import ENGINE

MONDAY_MORNING = "2026-11-23T09:30:00+01:00"
MONDAY_NIGHT = "2026-11-23T22:00:00+01:00"


async def _route(client, **params) -> dict:
    response = await client.get("/api/v1/route", params=params)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_115_from_cochem_on_a_weekday_morning_goes_to_cochem_zell(client) -> None:
    decision = await _route(client, called="115", caller="+49 2671 555123", at=MONDAY_MORNING)
    assert decision["line"] == "115"
    assert decision["county"] == "07135"
    assert decision["open"] is True
    assert decision["target"] == {"kind": "pool", "id": "emh-cochem-zell", "uri": decision["target"]["uri"]}
    assert decision["target"]["uri"].startswith("sip:")
    assert decision["fallbacks"] and decision["trace"] and decision["rule"]
    assert "555123" not in " ".join(decision["trace"])


@pytest.mark.parametrize(
    "called", ["+49 2671 61-0", "02671610", "+49267161 0", " 49267161 0", "0049 2671 610"]
)
async def test_switchboard_number_in_any_notation(client, called: str) -> None:
    decision = await _route(client, called=called, at=MONDAY_MORNING)
    assert decision["line"] == "switchboard"
    assert decision["county"] == "07135"


async def test_raw_query_string_with_unescaped_plus(client) -> None:
    response = await client.get("/api/v1/route?called=+49267161 0&at=2026-11-23T09:30:00+01:00")
    decision = await response.json()
    assert response.status == 200, decision
    assert (decision["line"], decision["county"], decision["open"]) == ("switchboard", "07135", True)


async def test_after_hours_target(client) -> None:
    decision = await _route(client, called="115", caller="02671 555123", at=MONDAY_NIGHT)
    assert decision["open"] is False
    assert decision["target"]["kind"] == "announcement"
    assert any(f["kind"] == "callback" for f in decision["fallbacks"])


async def test_post_gives_the_same_decision_as_get(client) -> None:
    fields = {"called": "115", "caller": "06592 1234", "at": MONDAY_MORNING}
    response = await client.post("/api/v1/route", json=fields)
    posted = await response.json()
    got = await _route(client, **fields)
    assert {k: v for k, v in posted.items() if k != "decision_id"} == {
        k: v for k, v in got.items() if k != "decision_id"
    }
    assert posted["county"] == "07233"


async def test_rtjson_lists_target_then_fallbacks(client) -> None:
    decision = await _route(client, called="115", caller="06592 1234", at=MONDAY_MORNING)
    rtjson = await _route(client, called="115", caller="06592 1234", at=MONDAY_MORNING, format="rtjson")
    assert rtjson["routing"] == "serial"
    assert [r["uri"] for r in rtjson["routes"]] == [decision["target"]["uri"]] + [
        f["uri"] for f in decision["fallbacks"]
    ]


async def test_text_format_is_one_uri_per_line_target_then_fallbacks(client) -> None:
    decision = await _route(client, called="115", caller="06592 1234", at=MONDAY_NIGHT)
    for method, kwargs in (
        ("GET", {"params": {"called": "115", "caller": "06592 1234", "at": MONDAY_NIGHT, "format": "text"}}),
        (
            "POST",
            {
                "params": {"format": "text"},
                "json": {"called": "115", "caller": "06592 1234", "at": MONDAY_NIGHT},
            },
        ),
    ):
        response = await client.request(method, "/api/v1/route", **kwargs)
        assert response.status == 200
        assert response.content_type == "text/plain"
        assert (await response.text()).splitlines() == [decision["target"]["uri"]] + [
            f["uri"] for f in decision["fallbacks"]
        ]
    assert decision["target"]["id"] == "closed-115" and len(decision["fallbacks"]) == 1


async def test_unknown_answer_format_is_422(client) -> None:
    response = await client.get("/api/v1/route", params={"called": "115", "format": "xml"})
    assert response.status == 422


async def test_unknown_line_is_422(client) -> None:
    response = await client.get("/api/v1/route", params={"called": "+49 30 1234567"})
    assert response.status == 422
    assert response.content_type == "application/problem+json"


async def test_pool_state_drives_overflow_and_recovery(client, make_user) -> None:
    pbx = await make_user("acd", "pbx")
    call = {"called": "115", "caller": "06592 1234", "at": MONDAY_MORNING}
    assert (await _route(client, **call))["target"]["id"] == "emh-vulkaneifel"

    busy = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}
    response = await client.put("/api/v1/pools/emh-vulkaneifel/state", json=busy, headers=pbx)
    assert response.status == 200
    assert (await response.json())["state"]["agents_available"] == 0
    assert (await _route(client, **call))["target"]["id"] == "emh-all"

    free = {"agents_available": 1, "calls_waiting": 0, "longest_wait_s": 0}
    await client.put("/api/v1/pools/emh-vulkaneifel/state", json=free, headers=pbx)
    assert (await _route(client, **call))["target"]["id"] == "emh-vulkaneifel"


async def test_pools_list_every_county_pool_and_the_shared_pool(client) -> None:
    pools = await (await client.get("/api/v1/pools")).json()
    by_id = {p["id"]: p for p in pools}
    assert by_id["emh-all"]["county"] is None
    assert {
        by_id[p]["county"]
        for p in ("emh-bernkastel-wittlich", "emh-bitburg-pruem", "emh-cochem-zell", "emh-vulkaneifel")
    } == {"07231", "07232", "07135", "07233"}


async def test_recent_decision_can_be_read_again_by_id(client) -> None:
    decision = await _route(client, called="115", caller="+49 2671 555123", at=MONDAY_MORNING)
    response = await client.get(f"/api/v1/decisions/{decision['decision_id']}")
    assert response.status == 200
    assert await response.json() == decision
    assert "555123" not in await response.text()


async def test_unknown_decision_is_404_problem(client) -> None:
    response = await client.get("/api/v1/decisions/0123456789abcdef")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("role", "status"), [(None, 401), ("agent", 403), ("county_editor", 403), ("pbx", 200), ("admin", 200)]
)
async def test_only_the_pbx_and_admins_report_pool_state(client, make_user, role, status) -> None:
    headers = (
        await make_user("someone", role, county="07233" if role == "county_editor" else None) if role else {}
    )
    busy = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}
    response = await client.put("/api/v1/pools/emh-vulkaneifel/state", json=busy, headers=headers)
    assert response.status == status
    pools = {p["id"]: p for p in await (await client.get("/api/v1/pools")).json()}
    assert (pools["emh-vulkaneifel"]["state"] is not None) == (status == 200)


async def test_the_pbx_reports_pool_state_while_the_database_is_down(client, make_user, cut_database) -> None:
    """A token verified before the outage is still known: overflow must not run on stale state."""
    pbx = await make_user("acd", "pbx")
    free = {"agents_available": 2, "calls_waiting": 0, "longest_wait_s": 0}
    assert (await client.put("/api/v1/pools/emh-vulkaneifel/state", json=free, headers=pbx)).status == 200
    await cut_database(client.app[ENGINE])

    busy = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}
    response = await client.put("/api/v1/pools/emh-vulkaneifel/state", json=busy, headers=pbx)
    assert response.status == 200
    call = {"called": "115", "caller": "06592 1234", "at": MONDAY_MORNING}
    assert (await _route(client, **call))["target"]["id"] == "emh-all"

    unknown = {"Authorization": "Bearer sc_never-verified"}
    response = await client.put("/api/v1/pools/emh-vulkaneifel/state", json=free, headers=unknown)
    assert response.status == 503
    assert (await _route(client, **call))["target"]["id"] == "emh-all"


BUSY = {"agents_available": 0, "calls_waiting": 9, "longest_wait_s": 3600}


async def test_a_simulated_busy_pool_overflows_without_changing_the_reported_state(client) -> None:
    call = {"called": "115", "caller": "+49 2671 555123", "at": MONDAY_MORNING}
    before = await (await client.get("/api/v1/pools")).json()
    response = await client.post(
        "/api/v1/route/simulation", json={**call, "pools": {"emh-cochem-zell": BUSY}}
    )
    decision = await response.json()
    assert response.status == 200, decision
    assert (decision["rule"], decision["target"]["id"]) == ("overflow-emh-all", "emh-all")
    assert any("Pool „EMH Cochem-Zell“ ist ausgelastet" in line for line in decision["trace"])
    assert decision["caller_area"] == "02671"
    assert await (await client.get("/api/v1/pools")).json() == before
    plain = await (await client.post("/api/v1/route/simulation", json=call)).json()
    assert plain["target"]["id"] == "emh-cochem-zell"
    again = await (await client.get(f"/api/v1/decisions/{decision['decision_id']}")).json()
    assert again["rule"] == "overflow-emh-all"


async def test_a_simulation_with_an_unknown_pool_is_refused(client) -> None:
    response = await client.post(
        "/api/v1/route/simulation", json={"called": "115", "pools": {"nirgendwo": BUSY, "emh-all": BUSY}}
    )
    problem = await response.json()
    assert response.status == 422
    assert problem["errors"] == [{"loc": ["body", "pools", "nirgendwo"], "msg": "unknown pool"}]
