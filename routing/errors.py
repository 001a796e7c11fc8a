"""Routing domain errors, in one place so the HTTP layer can map each of them once."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "InvalidCall",
    "NoMatchingRule",
    "RuleProblem",
    "RoutingError",
    "RuleFileError",
    "UnknownLine",
    "UnknownPool",
]


class RoutingError(Exception):
    """Base class of every error the routing package raises on purpose."""


class InvalidCall(RoutingError):
    """The call cannot be read at all, e.g. a called number that is not a phone number."""


class UnknownLine(RoutingError):
    """The called number is a phone number, but not a line answered by this center."""


class UnknownPool(RoutingError):
    """A pool id that the loaded policy does not define."""


class NoMatchingRule(RoutingError):
    """No rule matched a call; validation should have refused such a rule file."""


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One finding in a rule file, with the line it was found at when that is known."""

    file: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.file, self.line) if part is not None)
        return f"{where}: {self.message}" if where else self.message


class RuleFileError(RoutingError):
    """A rule file that cannot become a policy; carries every problem found, not just the first."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
