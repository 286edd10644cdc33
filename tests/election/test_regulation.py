"""The regulation profile: defaults from today's law, validation naming each field, files."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from pathlib import Path

import pytest

from election.regulation import Regulation, RegulationError, load_regulation

DATA = Path(__file__).parent / "data"


def test_defaults_follow_the_law_since_2022() -> None:
    reg = Regulation()
    assert (reg.active_months, reg.passive_months, reg.agency_worker_months) == (3, 3, 15)
    assert reg.remainder_method == "largest_remainders"
    assert reg.remainder_threshold == 0 and reg.preference_threshold is None
    assert reg.repair_window_days == 2


def test_there_is_no_signature_quota_setting() -> None:
    names = {f.name for f in dataclasses.fields(Regulation)}
    assert not any("signature" in n or "handtekening" in n for n in names)
    with pytest.raises(RegulationError, match="removed from the law in 2013"):
        Regulation.from_dict({"free_list_signatures": 30})


def test_round_trip_through_json_keeps_fractions_exact() -> None:
    reg = Regulation(
        remainder_threshold=Fraction(2, 3),
        preference_threshold=Fraction(1, 4),
        electoral_groups=("Noord", "Zuid"),
        group_by="location",
        group_map=(("Eindhoven", "Zuid"), ("Groningen", "Noord")),
    )
    data = json.loads(json.dumps(reg.to_dict()))
    assert data["remainder_threshold"] == "2/3"
    assert data["group_map"] == {"Eindhoven": "Zuid", "Groningen": "Noord"}
    assert Regulation.from_dict(data) == reg


def test_every_bad_field_is_named() -> None:
    with pytest.raises(RegulationError) as err:
        Regulation(free_list_deadline_weeks=8, term_years=5, candidacy_mode="both")  # type: ignore[arg-type]
    assert "candidacy_mode" in err.value.problems
    with pytest.raises(RegulationError) as err:
        Regulation(free_list_deadline_weeks=8, term_years=5, retention_months=1, decryption_threshold=4, trustees=3)
    assert {"free_list_deadline_weeks", "term_years", "retention_months", "decryption_threshold"} <= set(
        err.value.problems
    )


def test_free_list_deadline_is_between_six_and_three_weeks() -> None:
    Regulation(free_list_deadline_weeks=6, candidacy_mode="simultaneous")
    Regulation(free_list_deadline_weeks=3, publication_weeks=2)
    for weeks in (2, 7):
        with pytest.raises(RegulationError, match="free_list_deadline_weeks"):
            Regulation(free_list_deadline_weeks=weeks, publication_weeks=1)


def test_sequential_mode_needs_a_free_list_period_after_the_union_deadline() -> None:
    with pytest.raises(RegulationError, match="sequential"):
        Regulation(free_list_deadline_weeks=6)


def test_publication_leaves_room_for_the_repair_window() -> None:
    with pytest.raises(RegulationError, match="publication_weeks"):
        Regulation(free_list_deadline_weeks=3, publication_weeks=3)


def test_digital_voting_needs_the_regulation_to_allow_it() -> None:
    with pytest.raises(RegulationError, match="voting_channel"):
        Regulation(evoting_allowed=False)
    assert Regulation(evoting_allowed=False, voting_channel="paper").voting_channel == "paper"


def test_fractions_must_be_strings_not_floats() -> None:
    with pytest.raises(RegulationError, match="remainder_threshold"):
        Regulation.from_dict({"remainder_threshold": 0.66})
    with pytest.raises(RegulationError, match="preference_threshold"):
        Regulation.from_dict({"preference_threshold": "5/4"})


def test_booleans_and_numbers_are_type_checked() -> None:
    with pytest.raises(RegulationError, match="active_months"):
        Regulation.from_dict({"active_months": "3"})
    with pytest.raises(RegulationError, match="evoting_allowed"):
        Regulation.from_dict({"evoting_allowed": "yes"})


def test_group_map_must_name_known_groups() -> None:
    with pytest.raises(RegulationError, match="group_map"):
        Regulation(electoral_groups=("A",), group_by="location", group_map=(("X", "B"),))


def test_loads_toml_and_json_files(tmp_path: Path) -> None:
    toml = load_regulation(DATA / "regulation.toml")
    assert toml.candidacy_mode == "simultaneous"
    assert toml.remainder_threshold == Fraction(2, 3)
    assert toml.electoral_groups == ("Noord", "Zuid")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(toml.to_dict()))
    assert load_regulation(path) == toml


def test_unreadable_or_malformed_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(RegulationError, match="cannot read"):
        load_regulation(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(RegulationError, match="not valid JSON"):
        load_regulation(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(RegulationError, match="object"):
        load_regulation(bad)


def test_missing_numbers_and_bad_group_field_are_named() -> None:
    with pytest.raises(RegulationError, match="active_months"):
        Regulation.from_dict({"active_months": None})
    with pytest.raises(RegulationError, match="group_by"):
        Regulation.from_dict({"group_by": ""})
    assert Regulation.from_dict({"max_list_length": None}).max_list_length is None
