"""The PBX's API: where a call goes, and the live load of the agent pools that drives overflow."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from routing.models import Answer, Call, PoolState
from routing.rtjson import to_rtjson
from servicecenter.api.params import parse_json, parse_query
from servicecenter.auth import Action, authorize
from servicecenter.call_log import log_call_routed
from servicecenter.keys import CALL_ROUTER, LIVE_STATE, METRICS
from servicecenter.problems import Problem

__all__ = ["Simulation", "get_decision", "list_pools", "put_pool_state", "route", "simulate"]

AnswerFormat = Literal["json", "rtjson", "text"]
"""`json`: the decision; `rtjson`: Kamailio's routing document; `text`: one SIP URI per line, target
then fallbacks, for dialplans that cannot read JSON (Asterisk)."""


SIMULATE = "true: a simulated call (the routing page), decided but not counted in the statistics"


class RouteQuery(Call):
    """GET: the call's fields plus the answer format (`rtjson` for Kamailio, `text` for Asterisk)."""

    format: AnswerFormat = "json"
    simulate: bool = Field(default=False, description=SIMULATE)


class FormatQuery(BaseModel):
    """POST: the call is in the body, only the answer format (and `simulate`) in the query string."""

    model_config = ConfigDict(extra="forbid")

    format: AnswerFormat = "json"
    simulate: bool = Field(default=False, description=SIMULATE)


class PoolStateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agents_available: int = Field(ge=0, le=10_000)
    calls_waiting: int = Field(ge=0, le=100_000)
    longest_wait_s: float = Field(ge=0, le=86_400)


class Simulation(Call):
    """A call to try on the routing page, with the pool load to assume (`pools`, by pool id; the other
    pools as the ACD last reported)."""

    pools: dict[str, PoolStateUpdate] = Field(
        default_factory=dict, max_length=100, description="assumed load by pool id, e.g. to try overflow"
    )


async def route(request: web.Request) -> web.Response:
    """GET or POST /api/v1/route: the decision for one call, from memory, never waiting on the database.

    The PBX waits for the answer and for nothing else: remembering the decision, counting it, its log line
    and its metrics (time by line and outcome) run right after the answer has gone out (`_record`), before
    the next request is read."""
    started = time.perf_counter()
    router = request.app[CALL_ROUTER]
    call: Call
    options: FormatQuery | RouteQuery
    try:
        if request.method == "POST":
            options = parse_query(request, FormatQuery)
            call = await parse_json(request, Call)
        else:
            call = options = parse_query(request, RouteQuery)
        answer = router.answer(call)
    except Exception:
        request.app[METRICS].observe_route("unknown", "rejected", time.perf_counter() - started)
        raise
    decision = answer.decision
    asyncio.get_running_loop().call_soon(
        _record, request.app, call, answer, not options.simulate, time.perf_counter() - started
    )
    if options.format == "text":
        return web.Response(text="".join(f"{t.uri}\n" for t in (decision.target, *decision.fallbacks)))
    if options.format == "rtjson":
        return web.json_response(to_rtjson(decision))
    return _answer_response(answer)


def _record(app: web.Application, call: Call, answer: Answer, counted: bool, seconds: float) -> None:
    """What follows a routing answer: the decision remembered and counted, logged, and in the metrics with
    the time it took to decide."""
    router, decision = app[CALL_ROUTER], answer.decision
    router.record(call, answer, counted=counted)
    log_call_routed(decision)
    outcome = "after_hours" if not decision.open else "overflow" if router.is_overflow(decision) else "routed"
    app[METRICS].observe_route(decision.line, outcome, seconds)


async def simulate(request: web.Request) -> web.Response:
    """POST /api/v1/route/simulation: the decision for a call under assumed pool load; nothing counted,
    no reported pool state changed."""
    simulation = await parse_json(request, Simulation)
    call = Call(**simulation.model_dump(exclude={"pools"}))
    router = request.app[CALL_ROUTER]
    known = {pool.id for pool in router.pools()}
    if unknown := [pool_id for pool_id in simulation.pools if pool_id not in known]:
        errors = [{"loc": ["body", "pools", pool_id], "msg": "unknown pool"} for pool_id in unknown]
        raise Problem(422, f"no pool {unknown[0]!r} in the routing policy", errors=errors)
    assumed = {pool_id: PoolState(**load.model_dump()) for pool_id, load in simulation.pools.items()}
    return _answer_response(router.simulate(call, assumed))


def _answer_response(answer: Answer) -> web.Response:
    """The decision as JSON: this is the PBX's hot path. The UTF-8 bytes go out as they were serialised
    (text would be encoded again by aiohttp: the greeting and trace are German)."""
    return web.Response(body=answer.body, content_type="application/json", charset="utf-8")


async def get_decision(request: web.Request) -> web.Response:
    """GET /api/v1/decisions/{id}: a recent decision again, for the agent who takes the call; made by this
    instance or any other on the same database."""
    decision_id = request.match_info["id"]
    decision = await request.app[LIVE_STATE].decision(decision_id)
    if decision is None:
        raise Problem(404, f"no recent decision {decision_id!r}")
    return _answer_response(Answer.of(decision))


async def list_pools(request: web.Request) -> web.Response:
    """GET /api/v1/pools: every pool of the active policy with its live state."""
    return web.json_response([p.model_dump(mode="json") for p in request.app[CALL_ROUTER].pools()])


async def put_pool_state(request: web.Request) -> web.Response:
    """PUT /api/v1/pools/{id}/state: the ACD reports live load; routing uses it for overflow (pbx, admin)."""
    await authorize(request, Action.report_pool_state)
    update = await parse_json(request, PoolStateUpdate)
    router = request.app[CALL_ROUTER]
    pool_id = request.match_info["id"]
    request.app[LIVE_STATE].report_pool_state(pool_id, PoolState(**update.model_dump()))
    return web.json_response(next(p for p in router.pools() if p.id == pool_id).model_dump(mode="json"))
