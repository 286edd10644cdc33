"""Pure parts of the register: the HR link list and the per-group preview."""

from __future__ import annotations

from datetime import date

from election.eligibility import EmploymentKind
from election.register_import import RegisterEntry
from election.register_links import IssuedLink, hash_token, links_csv, self_check_url
from election.register_overview import preview_groups


def test_link_list_quotes_cells_a_spreadsheet_would_run_as_formulas():
    link = IssuedLink(1, "=1+1", "@SUM(A1)", "-x@voorbeeld.nl", "nl", "T" * 32)
    text = links_csv([link], "https://stembus.example/register/self", ["nr", "naam", "mail", "link"])
    expected = "'=1+1;'@SUM(A1);'-x@voorbeeld.nl;https://stembus.example/register/self#t=" + "T" * 32
    assert text.splitlines()[1] == expected


def test_the_token_travels_in_the_fragment_and_only_its_hash_is_kept():
    assert self_check_url("https://s.example/register/self", "abc") == "https://s.example/register/self#t=abc"
    assert hash_token("abc") != "abc" and len(hash_token("abc")) == 64


def _entry(number: str, group: str | None, active: bool, reasons: tuple[str, ...] = ()) -> RegisterEntry:
    return RegisterEntry(
        2,
        number,
        "N",
        "",
        "",
        "",
        group,
        date(2020, 1, 1),
        None,
        EmploymentKind.EMPLOYEE,
        None,
        False,
        "",
        active,
        active,
        reasons,
    )


def test_preview_counts_people_rights_and_reasons_per_group():
    groups = preview_groups(
        [
            _entry("1", "Noord", True),
            _entry("2", "Noord", False, ("active_term_not_met",)),
            _entry("3", None, False, ("bestuurder",)),
        ]
    )
    assert [(g.name, g.people, g.active, g.reasons) for g in groups] == [
        ("Noord", 2, 1, (("active_term_not_met", 1),)),
        (None, 1, 0, (("bestuurder", 1),)),
    ]
