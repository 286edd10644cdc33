"""Field-by-field validation of the election record's JSON, with errors that point at the culprit.

Every reader in ``crypto.record`` goes through a ``Field`` cursor: it knows the file, the line (for
``board.jsonl``) and the JSON path, so a bad value becomes ``RecordError("manifest.json: groups[1].seats:
expected an integer >= 0, got 'x'")`` instead of a ``KeyError`` deep in the verifier.

Cryptographic values (points, scalars, proofs, ballots) are checked for shape here (lower-case hex of the
right length) and for meaning by the crypto modules; the verifier wraps their errors the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

_HEX_RE = re.compile(r"\A[0-9a-f]*\Z")
_ID_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}\Z")


class RecordError(ValueError):
    """The record is missing, unreadable or malformed; the message names file, line and field."""


@dataclass(frozen=True)
class Field:
    """A cursor on one JSON value: where it came from and what it holds."""

    file: str
    path: str
    value: Any
    line: int | None = None

    def where(self) -> str:
        """``file[:line]: path`` as used in every error message."""
        loc = self.file if self.line is None else f"{self.file} line {self.line}"
        return f"{loc}: {self.path}" if self.path else loc

    def fail(self, message: str) -> NoReturn:
        """Raise a ``RecordError`` about this field."""
        raise RecordError(f"{self.where()}: {message}")

    def _child(self, key: str | int, value: Any) -> Field:
        if isinstance(key, int):
            return Field(self.file, f"{self.path}[{key}]", value, self.line)
        path = f"{self.path}.{key}" if self.path else key
        return Field(self.file, path, value, self.line)

    # --- containers ---------------------------------------------------------------------------

    def obj(self, allowed: set[str] | frozenset[str] | None = None) -> Field:
        """Require a JSON object; with ``allowed``, refuse keys outside it (typos do not pass silently)."""
        if not isinstance(self.value, dict):
            self.fail(f"expected an object, got {_kind(self.value)}")
        if allowed is not None:
            extra = sorted(set(self.value) - set(allowed))
            if extra:
                self.fail(f"unknown field(s): {', '.join(extra)}")
        return self

    def get(self, key: str) -> Field:
        """The required member ``key`` of this object."""
        self.obj()
        if key not in self.value:
            self.fail(f"missing field {key!r}")
        return self._child(key, self.value[key])

    def opt(self, key: str) -> Field | None:
        """The optional member ``key``, or None when absent or null."""
        self.obj()
        if self.value.get(key) is None:
            return None
        return self._child(key, self.value[key])

    def items(self, min_len: int = 0, max_len: int | None = None) -> Iterator[Field]:
        """Require a JSON array (of bounded length) and iterate over its elements."""
        if not isinstance(self.value, list):
            self.fail(f"expected an array, got {_kind(self.value)}")
        if len(self.value) < min_len:
            self.fail(f"expected at least {min_len} element(s), got {len(self.value)}")
        if max_len is not None and len(self.value) > max_len:
            self.fail(f"expected at most {max_len} element(s), got {len(self.value)}")
        for i, v in enumerate(self.value):
            yield self._child(i, v)

    # --- scalars ------------------------------------------------------------------------------

    def integer(self, lo: int = 0, hi: int | None = None) -> int:
        """Require an integer in ``lo..hi`` (booleans are not integers here)."""
        v = self.value
        if not isinstance(v, int) or isinstance(v, bool):
            self.fail(f"expected an integer, got {_kind(v)}")
        if v < lo or (hi is not None and v > hi):
            bound = f">= {lo}" if hi is None else f"in {lo}..{hi}"
            self.fail(f"expected an integer {bound}, got {v}")
        return v

    def string(self, max_len: int = 1000, *, nonempty: bool = True) -> str:
        """Require a string of bounded length."""
        v = self.value
        if not isinstance(v, str):
            self.fail(f"expected a string, got {_kind(v)}")
        if nonempty and not v:
            self.fail("expected a non-empty string")
        if len(v) > max_len:
            self.fail(f"string longer than {max_len} characters")
        return v

    def ident(self) -> str:
        """Require an identifier: letters, digits and ``_ . : -``, at most 64 characters."""
        v = self.string(64)
        if not _ID_RE.match(v):
            self.fail(f"not a valid identifier: {v!r}")
        return v

    def choice(self, options: tuple[str, ...]) -> str:
        """Require one of the given strings."""
        v = self.value
        if v not in options:
            self.fail(f"expected one of {', '.join(options)}, got {v!r}")
        return str(v)

    def hexbytes(self, nbytes: int | None = None) -> bytes:
        """Require lower-case hex (of exactly ``nbytes`` bytes when given) and return the bytes."""
        v = self.value
        if not isinstance(v, str):
            self.fail(f"expected a hex string, got {_kind(v)}")
        if not _HEX_RE.match(v) or len(v) % 2:
            self.fail("expected lower-case hex with an even number of digits")
        if nbytes is not None and len(v) != 2 * nbytes:
            self.fail(f"expected {nbytes} bytes ({2 * nbytes} hex digits), got {len(v) // 2}")
        return bytes.fromhex(v)

    def const(self, expected: Any) -> None:
        """Require exactly ``expected``."""
        if self.value != expected or type(self.value) is not type(expected):
            self.fail(f"expected {expected!r}, got {self.value!r}")


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    return {dict: "an object", list: "an array", str: "a string", int: "an integer", float: "a number"}.get(
        type(v), type(v).__name__
    )
