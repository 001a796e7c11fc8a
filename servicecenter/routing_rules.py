"""The routing policy in force: the active database version of the rules, else the rules file.

Saving a version checks it completely first (the same checks as `servicecenter check-rules`), so only
a valid policy is ever stored, activated or loaded.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import rule_versions
from knowledge.catalogue import store
from routing.errors import RuleFileError
from routing.origin import AreaDirectory
from routing.policy import Policy, build_policy, load_policy
from routing.rulefile import parse_rule_file

__all__ = ["compile_rules", "policy_in_force"]

log = structlog.get_logger(__name__)


async def compile_rules(session: AsyncSession, *, text: str, name: str) -> Policy:
    """The policy for rule file `text`, with the caller-origin table of the catalogue; raises RuleFileError."""
    directory = AreaDirectory.from_places(await store.area_code_places(session))
    rules, source = parse_rule_file(text, name)
    return build_policy(rules, directory, source)


async def policy_in_force(session: AsyncSession, *, rules_file: Path) -> tuple[Policy, int | None]:
    """(policy, database version) the service routes with: the active stored version wins over the file."""
    active = await rule_versions.active_version(session)
    if active is not None:
        try:
            return await compile_rules(
                session, text=active.text, name=f"version {active.version}"
            ), active.version
        except RuleFileError as error:
            log.error("active_rules_invalid", version=active.version, problems=len(error.problems))
    directory = AreaDirectory.from_places(await store.area_code_places(session))
    return load_policy(rules_file, directory), None
