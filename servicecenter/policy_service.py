"""The one owner of the routing policy in force: which rules route calls, and every way that changes.

The policy in force is the active stored rules version, else the rules file of the settings. It changes
in four ways, all here: an admin stores or activates a version (rollback is activating an earlier one),
SIGHUP reloads the rules file, and another instance sharing the database changed the active version,
the catalogue's area codes or a catalogue unit the rules ring (the catalogue follower calls `follow`;
department extensions and hours come from the catalogue, see `routing.units`). A change is committed first and
swapped into the call router after the commit, so memory is never ahead of the database. Compiling a
rule file (parsing and the gap simulation) takes CPU time and runs off the event loop, so calls keep
being routed meanwhile; changes happen one at a time, from reading to the swap, so none lands behind a
newer one.

The stored closures of lines, counties and units are data for routing too: `use_closures` puts them into
the policy's calendar (a new policy object, swapped in whole), and every policy swapped in later gets them
as well, so a rules change never forgets a closure.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import audit, rule_versions
from knowledge.calendar import Closures
from knowledge.catalogue import store
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.models import UnitBase
from knowledge.rule_versions import RuleVersion
from routing.errors import RuleFileError
from routing.origin import AreaDirectory
from routing.policy import Policy, build_policy, load_policy
from routing.rulefile import parse_rule_file
from routing.units import UnitFacts, referenced_units
from servicecenter.call_router import CallRouter

__all__ = ["PolicyService", "check_rule_file", "demo_units"]

log = structlog.get_logger(__name__)

AreaCodes = list[tuple[str, str, str]]
Units = dict[str, UnitFacts]


def _facts(units: Iterable[UnitBase]) -> Units:
    return {unit.id: UnitFacts(unit.id, unit.county, unit.extension, unit.hours) for unit in units}


def demo_units(catalogue_dir: Path) -> Units:
    """The units of the demonstration catalogue (config/catalogue), for checking rules without a database."""
    return _facts(load_demo_document(catalogue_dir).units)


def check_rule_file(path: Path, catalogue_dir: Path) -> Policy:
    """Load `path` as a policy on its own, its units from the demo catalogue in `catalogue_dir`;
    raises RuleFileError with every problem found."""
    return load_policy(path, AreaDirectory.from_places([]), demo_units(catalogue_dir))


async def _units_for(session: AsyncSession, unit_ids: Iterable[str]) -> Units:
    """The catalogue units among `unit_ids`, as routing sees them."""
    return _facts(await store.units_by_id(session, unit_ids=unit_ids))


def _number(row: RuleVersion) -> int:
    """A stored version's number (the database assigns it when the row is flushed)."""
    assert row.version is not None, "a stored rules version has its number"
    return row.version


async def _compile(session: AsyncSession, text: str, name: str, area_codes: AreaCodes) -> Policy:
    """Parse `text`, look up the units it rings, compile; the CPU-bound parts off the event loop."""
    rules, source = await asyncio.to_thread(parse_rule_file, text, name)
    units = await _units_for(session, referenced_units(rules))
    directory = AreaDirectory.from_places(area_codes)
    return await asyncio.to_thread(build_policy, rules, directory, source, units)


class PolicyService:
    """Loads, stores, activates, reloads and follows the routing policy; the call router only holds it."""

    def __init__(
        self, router: CallRouter, sessionmaker: async_sessionmaker[AsyncSession], *, rules_file: Path
    ) -> None:
        self.router = router
        self._sessionmaker = sessionmaker
        self._rules_file = rules_file
        self._area_codes: AreaCodes = []
        self.active_version: int | None = None
        """The stored version in force, or None while the rules file is."""
        self._changing = asyncio.Lock()
        """One change of the policy at a time, from reading to the swap: compiling takes a while, and a
        follower still compiling an activation it read must not land after an admin's rollback made
        meanwhile (nor a reload of the file after an activation)."""
        self.closures = Closures()
        """The stored closures (current and future) routing judges calls with."""

    @classmethod
    async def start(
        cls, sessionmaker: async_sessionmaker[AsyncSession], *, rules_file: Path
    ) -> tuple[PolicyService, CallRouter]:
        """The service and a call router holding the policy in force now."""
        async with sessionmaker() as session:
            area_codes = await store.area_code_places(session)
            active = await rule_versions.active_version(session)
            policy, version = await cls._policy_for(session, active, area_codes, rules_file)
        service = cls(CallRouter(policy), sessionmaker, rules_file=rules_file)
        service._area_codes, service.active_version = area_codes, version
        return service, service.router

    @staticmethod
    async def _policy_for(
        session: AsyncSession, active: RuleVersion | None, area_codes: AreaCodes, rules_file: Path
    ) -> tuple[Policy, int | None]:
        """The active stored version compiled, else the rules file (an invalid stored version is logged)."""
        if active is not None:
            try:
                name = f"version {active.version}"
                return await _compile(session, active.text, name, area_codes), active.version
            except RuleFileError as error:
                log.error("active_rules_invalid", version=active.version, problems=len(error.problems))
        text = await asyncio.to_thread(rules_file.read_text, encoding="utf-8")
        return await _compile(session, text, str(rules_file), area_codes), None

    async def compile(self, text: str, *, name: str) -> Policy:
        """`text` as a policy with the catalogue's area codes and units; raises RuleFileError listing
        every problem (also a department whose unit does not exist or has no extension)."""
        async with self._sessionmaker() as session:
            return await _compile(session, text, name, self._area_codes)

    async def save(self, text: str, *, author: str, activate: bool) -> RuleVersion:
        """Check and store `text` as the next version, audited; made live after the commit if `activate`."""
        async with self._changing:
            policy = await self.compile(text, name="rules")
            async with self._sessionmaker.begin() as session:
                row = await rule_versions.add_version(session, text=text, author=author)
                version = _number(row)
                await audit.record(
                    session, entity="routing_rules", entry_id=str(version), version=version,
                    actor=author, action="create", before=None, after={"version": version},
                )  # fmt: skip
                if activate:
                    await self._record_activation(session, row, author)
            if activate:
                self._swap(policy, version)
            return row

    async def activate(self, version: int, *, actor: str) -> RuleVersion | None:
        """Make stored `version` live (a rollback when it is an earlier one); None when there is no such version."""
        async with self._changing:
            async with self._sessionmaker() as session:
                row = await rule_versions.get_version(session, version=version)
            if row is None:
                return None
            policy = await self.compile(row.text, name=f"version {row.version}")
            async with self._sessionmaker.begin() as session:
                await self._record_activation(session, row, actor)
            self._swap(policy, _number(row))
            return row

    async def _record_activation(self, session: AsyncSession, row: RuleVersion, actor: str) -> None:
        previous = await rule_versions.active_version(session)
        version = _number(row)
        await rule_versions.activate(session, version=version)
        await audit.record(
            session, entity="routing_rules", entry_id="active", version=version, actor=actor,
            action="activate", before={"version": previous.version if previous else None},
            after={"version": version},
        )  # fmt: skip
        await store.bump_revision(session)  # other instances follow on their next poll
        row.active = True

    async def reload_file(self) -> bool:
        """SIGHUP: load the rules file again, unless a stored version is in force; False if it was refused."""
        async with self._changing:
            if self.active_version is not None:
                log.warning(
                    "rules_reload_skipped", reason="stored_version_active", version=self.active_version
                )
                return False
            try:
                text = await asyncio.to_thread(self._rules_file.read_text, encoding="utf-8")
                policy = await self.compile(text, name=str(self._rules_file))
            except RuleFileError as error:
                for problem in error.problems:
                    log.error("rules_problem", problem=str(problem))
                log.error("rules_reload_refused", file=str(self._rules_file), problems=len(error.problems))
                return False
            self._swap(policy, None)
            log.info("rules_reloaded", file=str(self._rules_file), rules=len(policy.rule_file.rules))
            return True

    async def follow(self, session: AsyncSession) -> None:
        """After a catalogue change: take over another instance's activation, changed area codes or a
        changed unit the rules ring. A change that breaks the rules (a unit lost its extension) is
        logged and the policy in force kept."""
        async with self._changing:
            area_codes = await store.area_code_places(session)
            active = await rule_versions.active_version(session)
            version = active.version if active else None
            in_force = self.router.policy
            units = await _units_for(session, referenced_units(in_force.rule_file))
            if (area_codes, version, units) == (self._area_codes, self.active_version, dict(in_force.units)):
                return
            try:
                policy, version = await self._policy_for(session, active, area_codes, self._rules_file)
            except RuleFileError as error:
                problems = [str(problem) for problem in error.problems]
                log.error("routing_policy_refresh_refused", rules_version=version, problems=problems)
                return
            self._area_codes = area_codes
            self._swap(policy, version)
            log.info("routing_policy_refreshed", rules_version=version)

    def use_closures(self, closures: Closures) -> None:
        """Route with `closures` from now on (after the commit that stored them, or a follower's reload)."""
        self.closures = closures
        self.router.replace(self._with_closures(self.router.policy))

    def _with_closures(self, policy: Policy) -> Policy:
        return dataclasses.replace(policy, calendar=policy.calendar.with_closures(self.closures))

    def _swap(self, policy: Policy, version: int | None) -> None:
        """On the event loop, after any commit: no pool report between snapshot and swap is lost."""
        self.router.replace(self._with_closures(policy))
        self.active_version = version
        if version is not None:
            log.info("routing_rules_activated", version=version)
