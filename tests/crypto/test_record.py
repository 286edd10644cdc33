"""The election record container: writer, streaming reader, strict validation with located errors."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from crypto import board, record
from crypto.record import RecordReader, RecordWriter
from crypto.record_schema import RecordError

H = "ab" * 32


def manifest() -> dict[str, Any]:
    return {
        "format": record.FORMAT,
        "version": 1,
        "election": {"id": "or-2026", "organisation": "Acme BV", "title": "OR 2026"},
        "committee": {"trustees": 3, "threshold": 2},
        "groups": [
            {
                "id": "g1",
                "name": "Productie",
                "system": "list",
                "seats": 3,
                "register_count": 10,
                "max_choices": 1,
                "rules": {
                    "remainder_method": "largest_remainders",
                    "remainder_threshold": "0",
                    "preference_threshold": None,
                    "surplus_seats": "vacant",
                    "lot_seed": "00ff",
                },
                "lists": [
                    {"id": "L1", "name": "Lijst 1", "candidates": [{"id": "L1-1", "name": "A"}]},
                    {"id": "L2", "name": "Lijst 2", "candidates": [{"id": "L2-1", "name": "B"}]},
                ],
            }
        ],
    }


def files() -> dict[str, Any]:
    return {
        record.MANIFEST: manifest(),
        record.KEYS: {
            "trustees": 3,
            "threshold": 2,
            "joint_key": H,
            "verification_keys": [H, H, H],
            "dkg": {"anything": 1},
        },
        record.CREDENTIALS: {"groups": [{"id": "g1", "register_count": 10, "count": 1, "credentials": [H]}]},
        record.TALLY: {
            "board_head": H,
            "groups": [
                {
                    "id": "g1",
                    "ballots": 1,
                    "aggregate": [{"alpha": H, "beta": H}] * 3,
                    "shares": [{"member": 1, "shares": [{"x": 1}] * 3}],
                    "counts": [1, 0, 0],
                }
            ],
        },
        record.SEATS: {"groups": [{"id": "g1", "input": {}, "output": {}}]},
    }


def write(path: Path, contents: dict[str, Any] | None = None, board_lines: int = 3) -> Path:
    contents = contents if contents is not None else files()
    with RecordWriter(path) as w:
        for name, obj in contents.items():
            w.write_json(name, obj)
        with w.board() as sink:
            prev = None
            for i in range(board_lines):
                kind = "setup" if i == 0 else "ballot"
                prev = board.next_entry(prev, b"E", kind, bytes([i]) * 32, "2026-03-01T09:00:00Z")
                sink.append(prev, {"n": i})
    return path


@pytest.mark.parametrize("name", ["rec", "rec.zip"])
def test_round_trip_directory_and_zip(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name)
    with RecordReader(path) as r:
        m = r.manifest()
        assert m.groups[0].options == ("L1-1", "L2-1", "blank")
        assert m.threshold == 2
        assert r.keys().verification_keys == (bytes.fromhex(H),) * 3
        assert r.credentials()[0].credentials == (bytes.fromhex(H),)
        lines = list(r.iter_board())
        assert [x.line for x in lines] == [1, 2, 3]
        assert [x.payload for x in lines] == [{"n": 0}, {"n": 1}, {"n": 2}]
        board.verify_chain((x.entry for x in lines), b"E")
        assert r.tally().groups[0].counts == (1, 0, 0)
        assert r.seats()[0].group == "g1"


def test_board_is_read_lazily(tmp_path: Path) -> None:
    path = write(tmp_path / "rec", board_lines=5)
    with RecordReader(path) as r:
        it = r.iter_board()
        assert next(it).entry.seq == 0
        (path / record.BOARD).open("ab").write(b"garbage")  # only seen when reached
        assert next(it).entry.seq == 1


def test_missing_record_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="no such record"):
        RecordReader(tmp_path / "nope")
    path = write(tmp_path / "rec")
    (path / record.TALLY).unlink()
    with pytest.raises(RecordError, match=r"missing file\(s\): tally.json"):
        RecordReader(path)


def test_garbage_instead_of_a_zip(tmp_path: Path) -> None:
    junk = tmp_path / "rec.zip"
    junk.write_bytes(b"\x00\xffnot a zip at all")
    with pytest.raises(RecordError, match=r"not a record directory or a readable \.zip"):
        RecordReader(junk)


def test_zip_without_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rec.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(record.MANIFEST, json.dumps(manifest()))
    with pytest.raises(RecordError, match="missing file"):
        RecordReader(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": ', "manifest.json: invalid JSON at line 1"),
        (b"\xff\xfe", "manifest.json: not UTF-8"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": NaN}', "NaN is not JSON"),
        (b'{"a": 1.5}', "non-integer number 1.5"),
        (b"[]", "manifest.json: expected an object"),
    ],
)
def test_strict_json(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path / "rec")
    (path / record.MANIFEST).write_bytes(content)
    with RecordReader(path) as r, pytest.raises(RecordError, match=message):
        r.manifest()


def mutate(obj: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    for k in keys[:-1]:
        obj = obj[int(k)] if k.isdigit() else obj[k]  # type: ignore[index]
    last = keys[-1]
    if value is KeyError:
        del obj[last]
    elif last.isdigit():
        obj[int(last)] = value  # type: ignore[index]
    else:
        obj[last] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("version", 3, "manifest.json: version: record version 3 is not supported"),
        ("format", "other", "manifest.json: format: expected 'stembus-election-record'"),
        ("groups.0.seats", "3", r"manifest.json: groups\[0\].seats: expected an integer, got a string"),
        ("groups.0.seats", True, r"groups\[0\].seats: expected an integer, got a boolean"),
        ("groups.0.system", "stv", r"groups\[0\].system: expected one of list, person"),
        ("groups.0.register_count", KeyError, r"groups\[0\]: missing field 'register_count'"),
        ("groups.0.max_choices", 2, "the list system allows exactly one choice"),
        ("groups.0.lists.1.candidates.0.id", "L1-1", "option ids must be distinct"),
        ("groups.0.lists.1.candidates.0.id", "blank", "option ids must be distinct"),
        ("groups.0.colour", "red", r"groups\[0\]: unknown field\(s\): colour"),
        ("groups.0.rules.lot_seed", "XYZ", "lot_seed: expected lower-case hex"),
        ("committee.threshold", 4, r"committee.threshold: expected an integer in 1..3"),
        ("groups.0.id", "bad id!", "not a valid identifier"),
    ],
)
def test_manifest_errors_name_the_field(tmp_path: Path, path: str, value: Any, message: str) -> None:
    contents = files()
    mutate(contents[record.MANIFEST], path, value)
    write(tmp_path / "rec", contents)
    with RecordReader(tmp_path / "rec") as r, pytest.raises(RecordError, match=message):
        r.manifest()


@pytest.mark.parametrize(
    ("name", "path", "value", "message"),
    [
        (record.KEYS, "joint_key", "ab", "keys.json: joint_key: expected 32 bytes"),
        (record.KEYS, "verification_keys", [H], r"verification_keys: expected at least 3 element"),
        (record.CREDENTIALS, "groups.0.count", 2, "count is 2 but 1 credentials are listed"),
        (record.CREDENTIALS, "groups.0.credentials.0", H.upper(), r"credentials\[0\]: expected lower-case"),
        (record.TALLY, "groups.0.counts.1", -1, r"groups\[0\].counts\[1\]: expected an integer >= 0"),
        (record.TALLY, "board_head", None, "board_head: expected a hex string, got null"),
        (record.SEATS, "groups.0.input", [], r"seats.json: groups\[0\].input: expected an object"),
    ],
)
def test_other_files_name_the_field(tmp_path: Path, name: str, path: str, value: Any, message: str) -> None:
    contents = copy.deepcopy(files())
    mutate(contents[name], path, value)
    write(tmp_path / "rec", contents)
    with RecordReader(tmp_path / "rec") as r, pytest.raises(RecordError, match=message):
        {
            record.KEYS: r.keys,
            record.CREDENTIALS: r.credentials,
            record.TALLY: r.tally,
            record.SEATS: r.seats,
        }[name]()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"seq": 0}\n', "board.jsonl line 2: missing field 'prev_hash'"),
        (b'{"seq": 0, "prev_hash"\n', "board.jsonl line 2: invalid JSON"),
        (b"\n", "board.jsonl line 2: empty line"),
        (b"[1]\n", "board.jsonl line 2: expected an object"),
        (
            b'{"seq": 1, "prev_hash": "00", "type": "ballot", "payload_hash": "00", "time": "x", "payload": 1}\n',
            "board.jsonl line 2: prev_hash: expected 32 bytes",
        ),
        (b'{"seq": 1}', "board.jsonl line 2: truncated"),
    ],
)
def test_board_line_errors_name_the_line(tmp_path: Path, line: bytes, message: str) -> None:
    path = write(tmp_path / "rec", board_lines=1)
    with (path / record.BOARD).open("ab") as fh:
        fh.write(line)
    with RecordReader(path) as r, pytest.raises(RecordError, match=message):
        list(r.iter_board())


def test_an_overlong_board_line_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record, "MAX_LINE_BYTES", 400)
    path = write(tmp_path / "rec", board_lines=1)
    with (path / record.BOARD).open("ab") as fh:
        fh.write(b'{"x": "' + b"a" * 500 + b'"}\n')
    with RecordReader(path) as r, pytest.raises(RecordError, match="line 2: longer than 400 bytes"):
        list(r.iter_board())


def test_writer_refuses_floats(tmp_path: Path) -> None:
    with RecordWriter(tmp_path / "rec") as w, pytest.raises(board.BoardError):
        w.write_json("x.json", {"a": 0.5})


def test_a_lone_surrogate_escape_is_refused_and_a_pair_is_read():
    from crypto.record import RecordError, decode_json

    assert decode_json(b'{"a": "\\ud83d\\ude00"}', "board.jsonl line 1") == {"a": "\U0001f600"}
    with pytest.raises(RecordError, match="lone UTF-16 surrogate"):
        decode_json(b'{"group": "\\uD800"}', "board.jsonl line 1")
