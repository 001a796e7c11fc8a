"""Opening hours as agents read them: days with equal hours grouped into one line."""

import pytest

from knowledge.calendar import WeeklyHours

OFFICE = WeeklyHours(
    mon=["08:00-12:00"],
    tue=["08:00-12:00"],
    wed=["08:00-12:00"],
    thu=["08:00-12:00", "14:00-18:00"],
    fri=["08:00-12:00"],
)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (OFFICE, "Mo–Mi, Fr 08:00–12:00; Do 08:00–12:00, 14:00–18:00"),
        (
            WeeklyHours(
                mon=["08:00-18:00"],
                tue=["08:00-18:00"],
                wed=["08:00-18:00"],
                thu=["08:00-18:00"],
                fri=["08:00-18:00"],
            ),
            "Mo–Fr 08:00–18:00",
        ),
        (
            WeeklyHours(mon=["07:30-12:30"], wed=["07:30-12:30"], sat=["09:00-12:00"]),
            "Mo, Mi 07:30–12:30; Sa 09:00–12:00",
        ),
        (
            WeeklyHours(mon=["14:00-16:00", "08:00-12:00"], tue=["08:00-12:00", "14:00-16:00"]),
            "Mo, Di 08:00–12:00, 14:00–16:00",
        ),
        (WeeklyHours(note="nach Vereinbarung"), "geschlossen (nach Vereinbarung)"),
    ],
)
def test_days_with_equal_hours_are_grouped(hours: WeeklyHours, text: str) -> None:
    assert hours.describe() == text
