"""Schemathesis over every operation of a live service, run by tests/servicecenter/test_openapi_live.py.

    python schemathesis_run.py BASE_URL EXAMPLES   (the admin bearer token in SC_FUZZ_TOKEN)

Prints {"failures": [...], "statuses": {...}} as JSON. Its own process, because Hypothesis seeds the
global `random` module for every example, which would make the random names whoosh gives its index
segments repeat inside a server running in the same process.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def fuzz(base_url: str, headers: dict, examples: int) -> tuple[list[str], Counter]:
    """Every operation with valid and with invalid input; the failures found and the statuses seen."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", timeout=10)
    failures: list[str] = []
    statuses: Counter = Counter()
    settings = hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings
                @given(case=operation.as_strategy(generation_mode=mode))
                def check(case: schemathesis.Case) -> None:
                    response = case.call_and_validate(
                        base_url=base_url, session=session, headers=dict(headers), checks=CHECKS, timeout=10
                    )
                    statuses[response.status_code] += 1

                try:
                    check()
                except hypothesis.errors.Unsatisfiable:
                    pass  # nothing of this operation can be made invalid (no parameters, no body)
                except (Exception, BaseExceptionGroup) as error:
                    failures.append(f"{operation.label} ({mode.value}): {error}")
    return failures, statuses


if __name__ == "__main__":
    base_url, examples = sys.argv[1], int(sys.argv[2])
    found, seen = fuzz(base_url, {"Authorization": f"Bearer {os.environ['SC_FUZZ_TOKEN']}"}, examples)
    json.dump({"failures": found, "statuses": dict(sorted(seen.items()))}, sys.stdout)
