"""Baby-step giant-step: every count up to a million, fast, and a clear error beyond."""

from __future__ import annotations

import time

import pytest

from crypto import dlog
from crypto import group as g


@pytest.mark.parametrize("m", [0, 1, 2, 999, 1000, 1001, 123_456, 999_999, 1_000_000])
def test_solves_counts_up_to_a_million(m: int) -> None:
    assert dlog.solve(g.base_mul(g.scalar_from_int(m))) == m


def test_a_million_is_solved_well_under_a_second() -> None:
    dlog.solve(g.BASE)  # builds the table
    start = time.perf_counter()
    dlog.solve(g.base_mul(g.scalar_from_int(1_000_000)))
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("m", [1_000_001, 2_000_000, g.L - 1])
def test_beyond_the_bound_raises(m: int) -> None:
    with pytest.raises(dlog.DlogError, match=r"0\.\.1000000"):
        dlog.solve(g.base_mul(g.scalar_from_int(m)))


def test_small_custom_bound() -> None:
    assert dlog.solve(g.base_mul(g.scalar_from_int(10)), bound=10) == 10
    with pytest.raises(dlog.DlogError):
        dlog.solve(g.base_mul(g.scalar_from_int(11)), bound=10)
