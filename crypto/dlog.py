"""Recover a count ``m`` from ``m·B`` by baby-step giant-step.

With ``n = ceil(sqrt(bound + 1))`` baby steps ``{j·B}`` and at most ``n`` giant steps of ``-n·B``,
any ``m`` in ``0 .. bound`` is found with about ``2·sqrt(bound)`` group additions; for the default
bound of 1,000,000 that is about 2,000 additions (tens of milliseconds). The baby-step table is
built once per bound and reused for every count of a tally.
"""

from __future__ import annotations

import math
from functools import lru_cache

from crypto import group as g
from crypto.group import Point

DEFAULT_BOUND = 1_000_000


class DlogError(ValueError):
    """The point is not ``m·B`` for any ``m`` in the searched range."""


@lru_cache(maxsize=4)
def _baby_steps(n: int) -> dict[bytes, int]:
    table: dict[bytes, int] = {}
    p = g.IDENTITY
    for j in range(n):
        table[p] = j
        p = g.add(p, g.BASE)
    return table


def solve(target: Point, bound: int = DEFAULT_BOUND) -> int:
    """Return the unique ``m`` in ``0 .. bound`` with ``m·B = target``.

    Raises ``DlogError`` when there is none: the count exceeds ``bound``, or the decryption was
    wrong (for example combined from too few or forged shares).
    """
    if bound < 0:
        raise ValueError("bound must be non-negative")
    n = math.isqrt(bound) + 1
    table = _baby_steps(n)
    giant = g.neg(g.base_mul(g.scalar_from_int(n)))
    p = target
    for i in range(n + 1):
        j = table.get(p)
        if j is not None:
            m = i * n + j
            if m <= bound:
                return m
            break
        p = g.add(p, giant)
    raise DlogError(f"no count in 0..{bound} decrypts to this point")
