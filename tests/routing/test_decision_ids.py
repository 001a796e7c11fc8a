"""Decision ids carry the time they were made, so an instance can tell a fresh id from an unknown one."""

from __future__ import annotations

import time
import uuid

from routing.decision_ids import decided_at, new_decision_id


def test_an_id_is_a_version_7_uuid_in_32_hex_digits_with_its_time() -> None:
    before = time.time()
    decision_id = new_decision_id()
    after = time.time()
    parsed = uuid.UUID(decision_id)
    assert (len(decision_id), parsed.version, parsed.variant) == (32, 7, uuid.RFC_4122)
    made = decided_at(decision_id)
    assert made is not None and before - 0.001 <= made <= after


def test_ids_differ_and_grow_with_time() -> None:
    ids = [new_decision_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert [decided_at(i) for i in ids] == sorted(decided_at(i) for i in ids)


def test_other_strings_have_no_time() -> None:
    for other in ("", "0123456789abcdef", uuid.uuid4().hex, "Z" * 32, new_decision_id().upper(), " " * 32):
        assert decided_at(other) is None, other
