"""The regulation profile's code mode: server (default) or offline (high assurance)."""

from __future__ import annotations

import pytest

from election.regulation import Regulation, RegulationError


def test_codes_are_made_by_the_server_unless_the_regulation_says_offline() -> None:
    assert Regulation().code_mode == "server"
    offline = Regulation.from_dict({"code_mode": "offline"})
    assert offline.code_mode == "offline" and offline.to_dict()["code_mode"] == "offline"


def test_an_unknown_code_mode_is_named() -> None:
    with pytest.raises(RegulationError) as refused:
        Regulation.from_dict({"code_mode": "by post"})
    assert refused.value.problems == {"code_mode": "must be one of server, offline"}
