"""The people of a whole election in a real browser: committee members, trustees and voters.

Each person has a browser context of their own. A committee member signs in with password and
authenticator code, and signs in again when the session has died (the test clock moves weeks at a
time, past the idle timeout). A trustee works on "their own computer": files downloaded through
their browser, ``stembus trustee`` run on them, the result uploaded through the ceremony or count
page. A voter opens the link from their e-mail, chooses, and casts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from admin.cli import main as stembus
from election.clock import AMSTERDAM
from tests.helpers import PASSWORD, Account

TRUSTEE_PASSPHRASE = "een lange zin die alleen deze sleutelhouder kent"


def advance_to(app: Any, day: date, at: time = time(10, 0)) -> None:
    """Move the test clock forward to ``at`` o'clock (Amsterdam) on ``day``, as the weeks pass."""
    clock = app.config["CLOCK"]
    target = datetime.combine(day, at, tzinfo=AMSTERDAM)
    assert target > clock.now(), f"{target} is not after {clock.now()}"
    clock.advance(target - clock.now())


def download(page: Any, link: Any, target: Path) -> Path:
    """Click ``link`` (a locator on ``page``) and keep the file the browser downloads at ``target``."""
    with page.expect_download() as info:
        link.click()
    info.value.save_as(target)
    return target


def run_stembus(*args: str) -> str:
    """Run a ``stembus`` command as a committee member would on their own computer; fail on refusal."""
    result = CliRunner().invoke(stembus, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@dataclass
class Member:
    """A committee member in a browser context of their own."""

    app: Any
    account: Account
    page: Any
    election_id: int | None = None

    @property
    def base(self) -> str:
        """The server's address."""
        return str(self.app.config["LIVE_URL"])

    def sign_in(self) -> None:
        """Password, then the code of the authenticator app (a fresh 30-second step each time)."""
        clock = self.app.config["CLOCK"]
        self.page.goto(f"{self.base}/auth/login")
        self.page.locator("#email").fill(self.account.email)
        self.page.locator("#password").fill(PASSWORD)
        self.page.locator("#password").press("Enter")
        self.page.wait_for_url("**/auth/totp")
        clock.advance(timedelta(seconds=30))
        self.page.locator("#code").fill(self.account.totp.at(clock.now()))
        self.page.locator("#code").press("Enter")
        self.page.wait_for_url("**/committee/")

    def open(self, path: str = "") -> None:
        """Open a page of the election (its overview by default), signing in again if the session died."""
        url = f"{self.base}/committee/elections/{self.election_id}/{path}"
        self.page.goto(url)
        if "/auth/login" in self.page.url:
            self.sign_in()
            self.page.goto(url)

    def press(self, button: str, expect: str) -> None:
        """Press the button named ``button``, wait for the next page and for the text ``expect`` on it."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button, exact=True).click()
        self.page.get_by_text(expect).first.wait_for()

    def text(self) -> str:
        """The visible text of the page's main part."""
        return str(self.page.locator("main").inner_text())

    def download(self, link: Any, target: Path) -> Path:
        """Click ``link`` (a locator on this member's page) and keep the downloaded file at ``target``."""
        return download(self.page, link, target)


@dataclass
class Trustee:
    """A committee member holding a key share, with a working folder on their own computer."""

    number: int
    member: Member
    folder: Path
    passphrase: Path = field(init=False)
    state: Path = field(init=False)
    backup: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir()
        self.passphrase = self.folder / "passphrase.txt"
        self.passphrase.write_text(TRUSTEE_PASSPHRASE + "\n", encoding="utf-8")
        self.state = self.folder / "state.json"
        self.backup = self.folder / "share-backup.json"

    def _fetch(self, page: str, name: str) -> Path:
        self.member.open(page)
        link = self.member.page.locator(f'main a[href$="/{page}/{name}"]').first
        return self.member.download(link, self.folder / name)

    def _trustee(self, command: str, *args: str) -> str:
        return run_stembus("trustee", command, *args, "--passphrase-file", str(self.passphrase))

    def join(self) -> None:
        """Download the invitation from the ceremony page and create the sealed state file."""
        invitation = self._fetch("ceremony", "invitation.json")
        self._trustee("init", "--election-file", str(invitation), "--state", str(self.state))

    def take_part(self, command: str) -> str:
        """One ceremony stage: fetch the bundle, run ``stembus trustee <command>``, upload what it wrote."""
        extra = [] if command == "commit" else ["--bundle", str(self._fetch("ceremony", "bundle.json"))]
        out = self.folder / f"{command}.json"
        self._trustee(command, "--state", str(self.state), *extra, "--out", str(out))
        return self._upload("ceremony", "#message", out)

    def finish(self) -> str:
        """Check the whole transcript and seal the share into a backup file."""
        bundle = self._fetch("ceremony", "bundle.json")
        return self._trustee(
            "finish", "--state", str(self.state), "--bundle", str(bundle), "--backup", str(self.backup)
        )

    def decrypt(self) -> str:
        """Fetch the count file and the tally, make the decryption shares, upload them on the count page."""
        count_file = self._fetch("count", "count-file.json")
        tally = self._fetch("count", "tally.json")
        out = self.folder / "shares.json"
        args = ["--election-file", str(count_file), "--tally", str(tally), "--backup", str(self.backup)]
        self._trustee("decrypt", *args, "--out", str(out))
        return self._upload("count", "#shares", out)

    def _upload(self, page: str, field_selector: str, path: Path) -> str:
        self.member.open(page)
        self.member.page.locator(field_selector).set_input_files(str(path))
        with self.member.page.expect_navigation():
            self.member.page.locator(f"form:has({field_selector}) button").click()
        return self.member.text()


BOOTH_WORDS = {
    "nl": {"review": "Mijn keuze bekijken", "cast": "Breng mijn stem uit", "blank": "Blanco stem"},
    "en": {"review": "Review my choice", "cast": "Cast my vote", "blank": "Blank vote"},
}


def booth_link(mail_text: str) -> str:
    """The booth link with the code in its fragment, from a voting-code e-mail."""
    found = re.search(r"(https?://\S+/(?:stem|vote)/[0-9a-f-]+#code=[A-Z0-9-]+)", mail_text)
    assert found, mail_text
    return found.group(1)


@dataclass
class Voter:
    """A voter in a browser context of their own, on the booth page their e-mail link opened."""

    page: Any
    language: str

    def open(self, link: str) -> None:
        """Open the link from the e-mail: the booth reads the code from the fragment and shows the ballot."""
        self.page.goto(link)
        self.page.locator("#ballot-options input").first.wait_for()
        assert "#code=" not in self.page.url  # the code does not stay in the address bar

    def review(self, choice: str | None) -> str:
        """Mark a candidate (None: blank) and review; returns the tracking code shown."""
        words = BOOTH_WORDS[self.language]
        self.page.get_by_label(choice or words["blank"], exact=True).check()
        self.page.get_by_role("button", name=words["review"]).click()
        self.page.locator("#review-tracking").wait_for()
        return str(self.page.locator("#review-tracking").inner_text())

    def cast(self) -> str:
        """Agree to vote digitally and cast; returns the tracking code on the receipt."""
        self.page.locator("#consent").check()
        self.page.get_by_role("button", name=BOOTH_WORDS[self.language]["cast"]).click()
        self.page.locator("#receipt-tracking").wait_for()
        return str(self.page.locator("#receipt-tracking").inner_text())
