"""The public board page: one page of entries at a time, newest first, and a lookup by tracking code."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest

from crypto import board as bd
from election.board_store import append_entry
from election.voting_codes import identity_of
from tests.web.voting_factory import make_voting_election

HUGE = "9" * 30
_ROWS = re.compile(r"<tr><td>(\d+)</td>")


def _board_of(app: Any, extra: int) -> tuple[str, list[str]]:
    """An open election whose board holds ``setup`` and ``extra`` more entries; its UUID and their codes."""
    ve = make_voting_election(app, people=4, seats=(1, 1))
    codes = []
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        now = app.config["CLOCK"].now()
        for n in range(extra):
            digest = hashlib.sha256(f"entry {n}".encode()).digest()
            code = bd.tracking_code(digest)
            codes.append(code)
            now += timedelta(seconds=1)
            append_entry(db, identity, bd.CHALLENGED, digest, {"n": n}, now, tracking_code=code)
        db.commit()
        return identity.uuid, codes


@pytest.fixture
def small_pages(monkeypatch):
    """Three entries per page, so a short board has several pages."""
    monkeypatch.setattr("admin.voting.BOARD_PAGE_SIZE", 3)


def _numbers(page: Any) -> list[int]:
    return [int(n) for n in _ROWS.findall(page.get_data(as_text=True))]


def test_the_board_shows_one_page_newest_first_with_links_to_the_others(app, client, small_pages):
    uuid, _ = _board_of(app, 7)  # entries 0 (setup) to 7: pages 7-5, 4-2, 1-0
    first = client.get(f"/board/{uuid}")
    html = first.get_data(as_text=True)
    assert _numbers(first) == [7, 6, 5]
    assert "Page 1 of 3" in html and 'aria-label="Pages of the board"' in html
    assert f'rel="next" href="/board/{uuid}?page=2"' in html and f'href="/board/{uuid}?page=3"' in html
    assert 'rel="prev"' not in html
    middle = client.get(f"/board/{uuid}?page=2").get_data(as_text=True)
    assert _numbers(client.get(f"/board/{uuid}?page=2")) == [4, 3, 2]
    assert f'rel="prev" href="/board/{uuid}?page=1"' in middle and f'rel="next" href="/board/{uuid}?page=3"' in middle
    last = client.get(f"/board/{uuid}?page=3")
    assert _numbers(last) == [1, 0]
    assert 'rel="next"' not in last.get_data(as_text=True)


def test_a_page_that_does_not_exist_is_not_found(app, client, small_pages):
    uuid, _ = _board_of(app, 4)  # 5 entries: 2 pages
    for page in ("0", "-1", "3", HUGE, f"-{HUGE}"):
        assert client.get(f"/board/{uuid}?page={page}").status_code == 404, page
    assert _numbers(client.get(f"/board/{uuid}?page=two")) == [4, 3, 2]  # not a number: the first page


def test_a_short_board_has_no_page_links(app, client, small_pages):
    uuid, _ = _board_of(app, 1)
    single = client.get(f"/board/{uuid}").get_data(as_text=True)
    assert "Pages of the board" not in single and _numbers(client.get(f"/board/{uuid}")) == [1, 0]


def test_the_page_links_are_translated_and_keep_the_language(app, client, small_pages):
    uuid, _ = _board_of(app, 5)
    dutch = client.get(f"/board/{uuid}?lang=nl").get_data(as_text=True)
    assert "Pagina 1 van 2" in dutch and "Oudere regels" in dutch
    assert f'href="/board/{uuid}?page=2&amp;lang=nl"' in dutch


def test_a_lookup_shows_what_it_found_and_not_the_entries(app, client, small_pages):
    uuid, codes = _board_of(app, 7)
    wanted = codes[2]  # entry 3
    typed = wanted.lower().replace("-", " ").replace("0", "o")  # as a voter might type it
    found = client.get(f"/board/{uuid}", query_string={"code": typed}).get_data(as_text=True)
    assert "this tested ballot is on the board as number 3" in found
    assert _ROWS.findall(found) == [] and "Pages of the board" not in found
    missing = client.get(f"/board/{uuid}?code=ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ").get_data(as_text=True)
    assert "No ballot with this tracking code is on the board." in missing


def test_the_json_listing_still_gives_every_entry_in_order(app, client, small_pages):
    uuid, codes = _board_of(app, 7)
    listing = client.get(f"/board/{uuid}.json").get_json()
    assert [e["seq"] for e in listing["entries"]] == list(range(8))
    assert [e["tracking_code"] for e in listing["entries"][1:]] == codes
    assert listing["head"] in client.get(f"/board/{uuid}").get_data(as_text=True)
