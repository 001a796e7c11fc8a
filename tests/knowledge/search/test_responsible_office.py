"""A responsible office's entry in search answers: built once per status, and built anew when the status
changes (a closure starts, the office closes for the day), since entries are shared by every answer."""

import datetime as dt

from knowledge.calendar import BERLIN, ClosedPeriod, Closures, ServiceCalendar, WeeklyHours
from knowledge.catalogue.models import Responsibility, Unit, UnitKind
from knowledge.closures.board import NoticeBoard
from knowledge.search.agent_search import ResponsibleOffice

UNIT = Unit(
    id="vg-daun-buergerbuero",
    name="Bürgerbüro VG Daun",
    kind=UnitKind.buergerbuero,
    county="07233",
    phone="+49 6592 939-0",
    street="Leopoldstraße 29",
    postcode="54550",
    city="Daun",
    hours=WeeklyHours(tue=["08:00-12:00", "14:00-16:00"]),
)
RESPONSIBILITY = Responsibility(service="personalausweis-beantragen", unit=UNIT.id, county="07233")
# Tuesday 10 March 2026; the Bürgerbüro closed for a Personalversammlung from 10:00 to 14:30
MEETING = ClosedPeriod(
    "unit",
    UNIT.id,
    dt.datetime(2026, 3, 10, 10, tzinfo=BERLIN).astimezone(dt.UTC),
    dt.datetime(2026, 3, 10, 14, 30, tzinfo=BERLIN).astimezone(dt.UTC),
    "Personalversammlung",
    id=1,
)


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 3, 10, hour, minute, tzinfo=BERLIN)


def test_the_entry_follows_the_status_and_is_built_once_while_it_holds() -> None:
    office = ResponsibleOffice.of(RESPONSIBILITY, UNIT)
    calendar, notices = ServiceCalendar([]).with_closures(Closures([MEETING])), NoticeBoard()

    before = office.at(calendar, notices, at(9, 58))
    assert before.open_now is True and before.closure is None
    assert office.at(calendar, notices, at(9, 58)) is before, "the same status gives the same entry"

    during = office.at(calendar, notices, at(10, 0))
    assert during.open_now is False and during.closure is not None
    assert during.unit == before.unit == "Bürgerbüro VG Daun"
    assert during.address == "Leopoldstraße 29, 54550 Daun"

    assert office.at(calendar, notices, at(14, 30)).open_now is True, "open again after the meeting"
    assert office.at(calendar, notices, at(16, 0)).open_now is False, "closed for the day"
