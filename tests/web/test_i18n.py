"""Dutch and English: chosen by the user, then the browser, then Dutch; every string translated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_dutch_is_the_default(client):
    page = client.get("/", headers={"Accept-Language": ""}).get_data(as_text=True)
    assert 'lang="nl"' in page
    assert "OR-verkiezing" in page


def test_browser_preference_for_english_is_followed(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Works council election" in page


def test_explicit_choice_beats_the_browser(client):
    client.get("/language/nl?next=/")
    assert client.get_cookie("stembus_lang").value == "nl"
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="nl"' in page


def test_language_switch_refuses_to_redirect_elsewhere(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_every_message_has_a_dutch_translation():
    with open(ROOT / "translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle, locale="nl")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_catalog_holds_every_message_in_the_code(tmp_path):
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as handle:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with open(ROOT / "translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert sorted(in_code - in_catalog) == []
