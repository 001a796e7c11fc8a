"""Everything derived from the catalogue, kept current while the service runs.

Several instances may share one database, and edits arrive through any of them or the CLI, so each instance
follows the catalogue revision and catches up: changed services into the search index, place names into the
search gazetteer, the names of the member counties and of the Verbandsgemeinden into the pages' memory (so
pages render while the database is down), the shared synonym list into the search's synonym table, the
closures (into routing's calendar, through the policy service) and notices, the switchboard directory (units
and people, rebuilt off the event loop when one of them changed; routing learns from it which unit or person
has a dialled extension), and the routing policy service told to follow (another instance's rules
activation, changed area codes). Saving rules, synonyms, closures or notices bumps the revision too, so they
reach every instance within a second. Closures and notices are held as small immutable views of what is in
force or still to come, swapped in whole; what has expired meanwhile is simply no longer in force when asked.
Anything else that must reach every instance bumps the revision and is reloaded in `_reload_catalogue`.

How a new revision is noticed: on PostgreSQL a trigger announces every revision on the live channel
(`catalogue` topic), which wakes the follower at once, and every (re)connection of the channel catches
up; on SQLite (one instance) the revision is polled every POLL_INTERVAL_S.

Under `serve --workers N` one process writes the search index (`writes_index`) and announces each update
(`index` topic); the others only read it and reopen it when told, or when the channel reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import time

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.catalogue import store
from knowledge.catalogue.kept_responsibilities import KeptResponsibilities
from knowledge.catalogue.models import PlaceKind
from knowledge.closures.board import NoticeBoard
from knowledge.closures.store import load_closures, load_notices
from knowledge.counties import short_name
from knowledge.directory.people import list_people
from knowledge.directory.search import Directory
from knowledge.live import store as live_store
from knowledge.search.agent_search import ResponsibleOffice
from knowledge.search.index import SearchIndex
from knowledge.search.places import Gazetteer, PlaceWords
from knowledge.search.sync import catch_up
from knowledge.search.synonym_versions import current_version
from knowledge.search.synonyms import SynonymTable
from servicecenter.call_router import called_numbers
from servicecenter.live_channel import LiveChannel, Message
from servicecenter.metrics import Metrics
from servicecenter.policy_service import PolicyService

__all__ = ["CatalogueFollower"]

log = structlog.get_logger(__name__)

POLL_INTERVAL_S = 0.25
"""Without a live channel (SQLite): how often the catalogue revision is read."""
RETRY_S = 1.0
"""After a failed round, when to try again (with a live channel there is no poll to do it)."""
CATALOGUE_TOPIC = "catalogue"
INDEX_TOPIC = "index"


class CatalogueFollower:
    """The gazetteer and synonym table searches use, and the loop that keeps them and the index current."""

    def __init__(
        self,
        index: SearchIndex,
        sessionmaker: async_sessionmaker[AsyncSession],
        policy_service: PolicyService,
        *,
        place_words: PlaceWords,
        metrics: Metrics,
        channel: LiveChannel | None = None,
        writes_index: bool = True,
    ) -> None:
        self.index = index
        self._sessionmaker = sessionmaker
        self._policy_service = policy_service
        self._place_words = place_words
        self._metrics = metrics
        self._channel = channel
        self.writes_index = writes_index
        self._wakeup = asyncio.Event()
        self._announced_at: float | None = None
        """When the oldest change not yet applied was committed (from its announcement), for the lag."""
        self.synonyms_version: int | None = None
        self._revision: int | None = None
        self.gazetteer = Gazetteer([])
        self.municipalities: dict[str, str] = {}
        """Names of the Verbandsgemeinden and verbandsfreie Gemeinden by id, for the console."""
        self.area_municipalities: dict[str, dict[str, list[str]]] = {}
        """Area code -> county -> names of the Verbandsgemeinden and verbandsfreie Gemeinden it serves,
        so the screen pop can say where a county came from ("Vorwahl 02671 → VG Cochem")."""
        self.county_names: dict[str, str] = {}
        """Short names of the member counties by key, in alphabetical order: the County table's names."""
        self.synonyms = SynonymTable({})
        self.notices = NoticeBoard()
        """The notices in force or still to come; the closures are in routing's calendar."""
        self.responsibilities = KeptResponsibilities(ResponsibleOffice.of)
        """What search answers name as responsible, kept per catalogue revision."""
        self._closure_reads = itertools.count(1)
        self._closures_read = 0
        """The number of the newest read of closures and notices swapped in."""
        self.directory = Directory([], [])
        """Units and people for the switchboard (servicecenter/api/directory.py)."""
        self._directory_versions: tuple | None = None

    async def start(self) -> None:
        """Load places and synonyms once, before the first request; with a live channel, listen for changes."""
        self._revision = await self._catalogue_revision()
        await self._reload_catalogue()
        if self._channel is not None:
            self._channel.subscribe(CATALOGUE_TOPIC, self._announced)
            self._channel.on_connect(self.catch_up)
            if not self.writes_index:
                self._channel.subscribe(INDEX_TOPIC, self._reopen_index)

    @property
    def revision(self) -> int | None:
        """The catalogue revision applied here."""
        return self._revision

    def _announced(self, message: Message) -> None:
        """Another instance (or this one) committed a catalogue revision: follow it now."""
        if self._announced_at is None and isinstance(sent := message.get("sent_at"), float | int):
            self._announced_at = sent
        self._wakeup.set()

    def _reopen_index(self, _message: Message) -> None:
        """The process that writes the search index updated it: read the new state."""
        self.index.refresh()

    async def catch_up(self) -> None:
        """After the live channel (re)connected: reopen the index, and let the loop follow whatever was
        announced meanwhile (it retries until the database answers)."""
        if not self.writes_index:
            self.index.refresh()
        self._wakeup.set()

    async def _catalogue_revision(self) -> int:
        async with self._sessionmaker() as session:
            return await store.catalogue_revision(session)

    def use_synonyms(self, version: int, entries: dict[str, list[str]]) -> None:
        """Search with `entries` from now on (the shared list's `version`)."""
        self.synonyms, self.synonyms_version = SynonymTable.from_entries(entries), version

    async def refresh_closures(self) -> None:
        """Read the closures and notices again, at once: after this instance stored or deleted one."""
        async with self._sessionmaker() as session:
            await self._reload_closures(session)

    async def _reload_closures(self, session: AsyncSession) -> None:
        """Swap in what the database holds now, unless a read begun later was swapped in first (a poll
        that started before this instance's own write must not bring back the older state)."""
        read = next(self._closure_reads)
        now = dt.datetime.now(dt.UTC)
        closures = await load_closures(session, now=now)
        notices = await load_notices(session, now=now)
        if read > self._closures_read:
            self._closures_read, self.notices = read, notices
            self._policy_service.use_closures(closures)

    async def _reload_catalogue(self) -> None:
        """Place names and synonyms for search, county names for pages, closures and notices; routing's
        policy follows the catalogue's area codes and rules version."""
        async with self._sessionmaker() as session:
            await self._reload_closures(session)
            synonyms = await current_version(session)
            if synonyms is not None and synonyms.version != self.synonyms_version:
                self.use_synonyms(synonyms.version, synonyms.entries)
            places = list(await store.list_places(session))
            self.gazetteer = Gazetteer(places, self._place_words)
            municipalities = [p for p in places if p.kind is not PlaceKind.ortsgemeinde]
            self.municipalities = {p.id: p.name for p in municipalities}
            areas: dict[str, dict[str, list[str]]] = {}
            for place in municipalities:
                for code in place.area_codes:
                    areas.setdefault(code, {}).setdefault(place.county, []).append(place.name)
            self.area_municipalities = areas
            members = [(c.key, short_name(c.name)) for c in await store.list_counties(session) if c.member]
            self.county_names = dict(sorted(members, key=lambda county: county[1]))
            await self._reload_directory(session)
            await self._policy_service.follow(session)

    async def _reload_directory(self, session: AsyncSession) -> None:
        """Rebuild the directory when a unit, person or county changed (each carries a version), in a
        thread: building it is CPU work, and calls are routed on this event loop meanwhile."""
        units = await store.list_units(session, limit=1_000_000)
        people = list(await list_people(session))
        counties = {c.key: c.name for c in await store.list_counties(session)}
        versions = (
            tuple((u.id, u.version) for u in units),
            tuple((p.id, p.version) for p in people),
            tuple(counties.items()),
        )
        if versions == self._directory_versions:
            return
        self.directory = await asyncio.to_thread(Directory, units, people, counties)
        self._directory_versions = versions
        self._policy_service.router.use_numbers(called_numbers(self.directory))

    async def step(self) -> None:
        """One round: index, places, synonyms and rules if the catalogue revision moved."""
        announced_at, self._announced_at = self._announced_at, None
        revision = await self._catalogue_revision()
        if revision != self._revision:
            if self.writes_index and await catch_up(self.index, self._sessionmaker) is not None:
                await self._announce_index()
            await self._reload_catalogue()
            self._revision = revision
        if announced_at is not None:
            self._metrics.live_lag.labels(CATALOGUE_TOPIC).observe(max(0.0, time.time() - announced_at))

    async def _announce_index(self) -> None:
        """Tell the processes that read this index (serve --workers N) to reopen it."""
        if self._channel is not None:
            async with self._sessionmaker.begin() as session:
                payload = {"topic": INDEX_TOPIC, "revision": self.index.revision, "sent_at": time.time()}
                await live_store.notify(session, payloads=[payload])

    async def run(self) -> None:
        """Follow the catalogue until cancelled; a database outage is logged and waited out."""
        interval: float | None = POLL_INTERVAL_S if self._channel is None else None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), interval)
            self._wakeup.clear()
            try:
                await self.step()
                interval = POLL_INTERVAL_S if self._channel is None else None
            except (SQLAlchemyError, OSError) as error:
                log.warning("catalogue_follow_failed", error=type(error).__name__)
                interval = RETRY_S
