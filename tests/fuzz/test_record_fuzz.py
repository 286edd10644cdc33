"""Fuzzing the election record reader and verifier with damaged copies of the kept valid record.

Contract (``crypto.record``, ``crypto.verifier``): a record that cannot be read raises ``RecordError``
naming the file, and nothing else escapes; a record that can be read but says anything other than
the original never verifies.
"""

from __future__ import annotations

import copy
import io
import json
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import record as rc
from crypto.record_schema import RecordError
from crypto.verifier import verify_record
from election.cli_verify import allocate_seats

VALID = Path(__file__).resolve().parents[1] / "records" / "valid"
ORIGINAL = {name: (VALID / name).read_bytes() for name in rc.FILES}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**66), 2**66),
        st.text(max_size=40),
        st.sampled_from(["00" * 32, "ff" * 32, "list", "person", "G1", "ballot", "setup", ""]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)


def _meaning(files: dict[str, bytes]) -> dict[str, Any] | None:
    """What the record says, file by file (the board line by line); None if any part is not strict JSON."""
    try:
        said = {name: rc.decode_json(data, name) for name, data in files.items() if name != rc.BOARD}
        said[rc.BOARD] = [rc.decode_json(line, rc.BOARD) for line in files[rc.BOARD].splitlines()]
    except RecordError:
        return None
    return said


ORIGINAL_MEANING = _meaning(ORIGINAL)


def read_everything(path: Path) -> None:
    """Open the record and parse every file, as the verifier's first pass does."""
    with rc.RecordReader(path) as record:
        record.manifest()
        record.keys()
        record.credentials()
        record.tally()
        record.seats()
        for _ in record.iter_board():
            pass


def assert_refused_or_not_valid(path: Path, files: dict[str, bytes] | None) -> None:
    """The reader and the verifier raise ``RecordError`` or report; a changed record never verifies."""
    try:
        read_everything(path)
    except RecordError as refused:
        assert str(refused)
    try:
        report = verify_record(path, seat_allocator=allocate_seats, jobs=1)
    except RecordError as refused:
        assert str(refused)
        return
    if files is None or _meaning(files) != ORIGINAL_MEANING:
        assert not report.valid, "a changed record verified"


def _write(directory: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def _damage(data: bytes, rnd: random.Random, edits: int) -> bytes:
    out = bytearray(data)
    for _ in range(edits):
        i = rnd.randrange(max(len(out), 1))
        how = rnd.choice(("flip", "char", "insert", "cut"))
        if how == "flip" and out:
            out[i] ^= 1 << rnd.randrange(8)
        elif how == "char" and out:
            out[i] = ord(rnd.choice('0123456789abcdef"{}[],:\n -.eE'))
        elif how == "insert":
            out[i:i] = rnd.randbytes(rnd.randint(1, 4))
        elif out:
            del out[i : i + rnd.randint(1, 16)]
    return bytes(out)


def _paths(d: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(d, dict):
        found += [p for k in d for p in _paths(d[k], (*path, k))]
    elif isinstance(d, list):
        found += [p for i, v in enumerate(d) for p in _paths(v, (*path, i))]
    return found


def _graft(d: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = d
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return d


def test_the_kept_record_reads_and_verifies() -> None:
    read_everything(VALID)
    assert verify_record(VALID, seat_allocator=allocate_seats, jobs=1).valid


@FUZZ
@given(name=st.sampled_from(rc.FILES), rnd=st.randoms(use_true_random=False), edits=st.integers(1, 3))
def test_byte_damage_to_any_file_is_refused_or_fails_verification(name: str, rnd: random.Random, edits: int) -> None:
    files = {**ORIGINAL, name: _damage(ORIGINAL[name], rnd, edits)}
    with tempfile.TemporaryDirectory() as tmp:
        assert_refused_or_not_valid(_write(Path(tmp), files), files)


@FUZZ
@given(name=st.sampled_from(rc.FILES), rnd=st.randoms(use_true_random=False), value=json_values)
def test_any_part_of_any_file_replaced_is_refused_or_fails_verification(
    name: str, rnd: random.Random, value: object
) -> None:
    if name == rc.BOARD:
        lines = ORIGINAL[name].splitlines()
        i = rnd.randrange(len(lines))
        entry = json.loads(lines[i])
        entry = _graft(entry, rnd.choice(_paths(entry)), copy.deepcopy(value))
        lines[i] = json.dumps(entry).encode()
        data = b"\n".join(lines) + b"\n"
    else:
        doc = json.loads(ORIGINAL[name])
        doc = _graft(doc, rnd.choice(_paths(doc)), copy.deepcopy(value))
        data = json.dumps(doc).encode()
    files = {**ORIGINAL, name: data}
    with tempfile.TemporaryDirectory() as tmp:
        assert_refused_or_not_valid(_write(Path(tmp), files), files)


def _zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in ORIGINAL.items():
            z.writestr(name, data)
    return out.getvalue()


ZIPPED = _zipped()


def _unzipped(data: bytes) -> dict[str, bytes] | None:
    """The files inside a damaged zip, if Python can still read all of them (None otherwise)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {name: z.read(name) for name in rc.FILES}
    except Exception:
        return None


@FUZZ
@given(rnd=st.randoms(use_true_random=False), edits=st.integers(1, 4))
def test_a_damaged_zip_is_refused_with_the_record_error(rnd: random.Random, edits: int) -> None:
    data = _damage(ZIPPED, rnd, edits)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.zip"
        path.write_bytes(data)
        assert_refused_or_not_valid(path, _unzipped(data))
