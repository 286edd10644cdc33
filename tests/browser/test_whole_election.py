"""A whole works council election in a real browser, from an empty instance to a verified record.

The committee sets the election up, imports the register, runs the nomination pre-round, takes a
union list and a free list through candidacy, consent, examination, publication and objections,
holds the key ceremony with five trustees on their own computers, and issues the voting codes by
e-mail through a local SMTP server. Thirty employees vote in Chromium, in Dutch and in English, one
of them testing a ballot first. After closing, three of the five trustees decrypt; the committee
fixes the lot seed, sees the seats, downloads the official report and publishes the record, which
``stembus verify`` accepts with the counts the voters chose. The main pages pass axe on the way.

Every step goes through the screens. The test itself only moves the clock (reading the timetable to
know where to), runs the mail worker, and reads the mail that reached the SMTP server.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader

from election.mail import deliver_pending, sender_from_config
from election.models import Election, Role
from election.procedure_store import timeline_of
from tests.browser.election_actors import Member, Trustee, Voter, advance_to, booth_link, download, run_stembus
from tests.browser.smtp_sink import SmtpSink, text_of
from tests.helpers import make_member

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST = ("Anna", "Bram", "Cem", "Dana", "Eva", "Finn", "Gijs", "Hanna", "Ilse", "Joost")
FIRST += ("Karim", "Lotte", "Mehmet", "Noor", "Olaf", "Pien", "Quinten", "Roos", "Sanne", "Tom")
LAST = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos")
# Employee number, name, language: 1001-1040, every fifth person reads English.
PEOPLE = tuple(
    (str(1001 + i), f"{FIRST[i % 20]} {LAST[(i + 5 * (i // 20)) % 10]}", "en" if i % 5 == 4 else "nl")
    for i in range(40)
)
NAME = {number: name for number, name, _ in PEOPLE}
LANGUAGE = {number: language for number, _, language in PEOPLE}
LOCALE = {"nl": "nl-NL", "en": "en-GB"}

NOMINATORS, NOMINEE = ("1001", "1005"), "1008"
UNION_LIST = ("1008", "1002", "1003", "1004")
FREE_SUBMITTER, FREE_LIST = "1010", ("1010", "1011", "1012")
# Votes per candidate (None: blank) cast by employees 1001-1030: 25 valid votes for 5 seats.
PLAN = {"1008": 8, "1002": 3, "1003": 2, "1004": 1, "1010": 6, "1011": 3, "1012": 2, None: 5}
UNION_DECLARATIONS = (
    "members_in_company",
    "statutory_aim",
    "legal_capacity_two_years",
    "active_in_company_or_sector",
    "members_consulted",
)
ELECTED = ("1008", "1002", "1003", "1010", "1011")  # FNV Haven 14 votes: 3 seats; Samen Sterk 11: 2

WORDS = {
    "nl": {
        "colleague": "Naam van een collega",
        "nominate": "{} nomineren",
        "nominated": "Uw nominatie is opgeslagen.",
        "submit": "Lijst indienen",
        "received": "Uw lijst is ontvangen",
        "answer": "Mijn antwoord versturen",
        "agreed": "Dank u: u stemt in met uw kandidatuur.",
    },
    "en": {
        "colleague": "Name of a colleague",
        "nominate": "Nominate {}",
        "nominated": "Your nomination has been saved.",
        "submit": "Submit the list",
        "received": "Your list has been received",
        "answer": "Send my answer",
        "agreed": "Thank you: you agreed to stand as a candidate.",
    },
}
TAKEN, WAITS = "The step has been taken.", "The step waits for confirmation by a second committee member."
CONFIRMED = "Bevestigd: de stap is gezet."  # the second member works in Dutch
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@dataclass
class Scene:
    """The instance, its mail server, the browser contexts opened, and what axe found on the way."""

    app: Any
    browser: Any
    sink: SmtpSink
    folder: Path
    contexts: ExitStack
    findings: list[str] = field(default_factory=list)
    election_id: int = 0

    @property
    def base(self) -> str:
        return str(self.app.config["LIVE_URL"])

    def tab(self, language: str) -> Any:
        """A page in a browser context of its own (a person at their own computer), open to the end."""
        context = self.browser.new_context(locale=LOCALE[language])
        self.contexts.callback(context.close)
        return context.new_page()

    @contextmanager
    def visit(self, language: str) -> Iterator[Any]:
        """A page in a browser context of its own, closed when the person is done."""
        context = self.browser.new_context(locale=LOCALE[language])
        try:
            yield context.new_page()
        finally:
            context.close()

    def member(self, role: Role, email: str, language: str) -> Member:
        """A committee account, signed in through the browser."""
        person = Member(self.app, make_member(self.app, role, email), self.tab(language), self.election_id or None)
        person.sign_in()
        return person

    def axe(self, page: Any, where: str) -> None:
        """Note every serious or critical WCAG 2.1 A/AA violation axe finds on the open page."""
        for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                self.findings.append(f"{where}: {violation['id']} {[n['target'] for n in violation['nodes']]}")

    def send_mail(self) -> int:
        """Run the mail worker (what ``stembus mail send`` does) until the outbox is empty."""
        sent = 0
        while True:
            report = deliver_pending(
                self.app.extensions["stembus_sessions"],
                sender_from_config(self.app.config),
                clock=self.app.config["CLOCK"],
            )
            assert report.errors == [], report.errors
            sent += report.sent
            if report.claimed == 0:
                return sent

    def mailed_links(self, path: str) -> dict[str, str]:
        """Employee number -> the newest link to ``path`` (with its fragment) mailed to them."""
        by_mail = self.sink.links(rf"(https?://\S+{re.escape(path)}#\S+)")
        return {number: by_mail[f"p{number}@haven.example"] for number in NAME if f"p{number}@haven.example" in by_mail}

    def day(self, step: str, days_after: int = 0) -> date:
        """A date of the election's timetable (as on the committee's checklist), plus ``days_after``."""
        with self.app.extensions["stembus_sessions"]() as db:
            election = db.get(Election, self.election_id)
            assert election is not None
            return timeline_of(election)[step] + timedelta(days=days_after)


@pytest.mark.timeout(900)
def test_a_whole_election_from_an_empty_instance_to_a_verified_record(browser, live_app, tmp_path):
    with SmtpSink() as sink, ExitStack() as contexts:
        live_app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port, SMTP_TIMEOUT=10)
        scene = Scene(live_app, browser, sink, tmp_path, contexts)
        # The committee starts on a morning; from here on the clock moves only as the test says.
        advance_to(live_app, live_app.config["CLOCK"].today() + timedelta(days=1), time(9, 0))
        chair = scene.member(Role.CHAIR, "voorzitter@haven.example", "en")
        _set_up(scene, chair, tmp_path / "personeel.csv")
        second = scene.member(Role.MEMBER, "lid2@haven.example", "nl")
        members = [chair, second] + [scene.member(Role.MEMBER, f"lid{j}@haven.example", "en") for j in (3, 4, 5)]

        _nomination_round(scene, chair)
        _step(scene, chair, "Announce the election", second)
        advance_to(live_app, scene.day("date_objection_end", 1))
        _step(scene, chair, "Open the register for objections")
        advance_to(live_app, scene.day("register_objection_end", 1))
        _step(scene, chair, "Make the register final", second)
        _candidacy(scene, chair)
        _lists(scene, chair, second)
        trustees = _key_ceremony(scene, members)
        links = _voting_codes(scene, chair, second)
        advance_to(live_app, scene.day("voting_opens"))
        _step(scene, chair, "Open voting", second)
        chosen = _voting(scene, links)
        advance_to(live_app, scene.day("voting_closes"), time(20, 1))
        _step(scene, chair, "Close voting and count", second)
        _count(scene, chair, [trustees[1], trustees[2], trustees[4]])
        record = _result(scene, chair)
        _record_verifies(scene, record, chosen)
    assert scene.findings == []


def _rows(page: Any) -> list[list[str]]:
    """The text of every cell, row by row, of the tables on the page."""
    cells = "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
    return list(page.eval_on_selector_all("main tr", cells))


def _step(scene: Scene, proposer: Member, button: str, confirmer: Member | None = None) -> None:
    """Take a procedure step on the election overview; a consequential one is confirmed by a second member."""
    proposer.open()
    proposer.press(button, WAITS if confirmer else TAKEN)
    if confirmer is not None:
        confirmer.open()
        confirmer.press("Bevestigen", CONFIRMED)


def _set_up(scene: Scene, chair: Member, csv_path: Path) -> None:
    """Create the election, set the regulation, invite the union, and import the register."""
    page, today = chair.page, scene.app.config["CLOCK"].today()
    page.get_by_role("link", name="New election").click()
    page.get_by_label("Organisation").fill("Haven Logistiek BV")
    page.get_by_label("End of the sitting council's term").fill((today + timedelta(weeks=20)).isoformat())
    page.get_by_label("Voting day (first day of voting)").fill((today + timedelta(weeks=14)).isoformat())
    page.get_by_label("Persons who normally work in the company").fill("60")
    chair.press("Save", "The election has been created.")
    found = re.search(r"/committee/elections/(\d+)/", page.url)
    assert found and "Seats: 5" in chair.text()
    scene.election_id = chair.election_id = int(found.group(1))
    scene.axe(page, "committee: election overview")

    chair.open("regulation")
    page.get_by_label("Committee members holding a key share").fill("5")
    page.get_by_label("Key shares needed for the count").fill("3")
    chair.press("Save", "The regulation profile has been saved.")
    chair.open("unions")
    page.get_by_label("Name of the union").fill("FNV")
    page.get_by_label("E-mail address").fill("kader@fnv.example")
    chair.press("Add", "The union has been added.")

    header = "personeelsnummer;voornaam;achternaam;email;afdeling;datum_in_dienst;dienstverband;taal"
    rows = [
        f"{number};{name.split(' ', 1)[0]};{name.split(' ', 1)[1]};p{number}@haven.example;"
        f"{'Kade' if int(number) % 2 else 'Kantoor'};2019-03-01;vast;{language}"
        for number, name, language in PEOPLE
    ]
    csv_path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    chair.open("register/import")
    page.get_by_label("HR export (CSV or XLSX)").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_label("Everyone is in the same group").check()
    assert page.locator("select[name=col_language]").input_value() == "taal"
    scene.axe(page, "committee: register columns")
    page.get_by_role("button", name="Save and check the file").click()
    page.get_by_text("40 rows read, 40 people without errors.").wait_for()
    page.get_by_role("button", name="Continue to the preview").click()
    page.get_by_role("button", name="Apply: store this register").click()
    page.get_by_text("40 people in the register").wait_for()


def _nomination_round(scene: Scene, chair: Member) -> None:
    """The pre-round before the announcement: two colleagues nominate the same person by their mailed links."""
    page, today = chair.page, scene.app.config["CLOCK"].today()
    closes = today + timedelta(days=5)  # it must end before union candidacy opens at the announcement
    chair.open("nomination")
    page.get_by_label("First day of the round").fill(today.isoformat())
    page.get_by_label("Last day of the round").fill(closes.isoformat())
    page.get_by_label("Show a count only from this number of nominations").fill("2")
    page.get_by_label("Invitation text in Dutch").fill("Wie zie jij graag in de ondernemingsraad?")
    page.get_by_label("Invitation text in English").fill("Who would you like to see on the works council?")
    chair.press("Save the round", "The round is open.")
    chair.press("Send the links by e-mail", "40 links queued by e-mail")
    assert scene.send_mail() == 40
    links = scene.mailed_links("/nominate/")
    nominee = NAME[NOMINEE]
    for number in NOMINATORS:
        words = WORDS[LANGUAGE[number]]
        with scene.visit(LANGUAGE[number]) as tab:
            tab.goto(links[number])
            tab.get_by_label(words["colleague"]).fill(nominee.split()[0])
            tab.get_by_label(words["colleague"]).press("Enter")
            tab.get_by_role("button", name=words["nominate"].format(nominee)).click()
            tab.get_by_text(words["nominated"]).wait_for()
            scene.axe(tab, f"employee ({LANGUAGE[number]}): nomination")

    advance_to(scene.app, closes + timedelta(days=1))
    chair.open("nomination/results")
    assert "2 colleagues nominated 1 colleagues, 2 nominations in all." in chair.text()
    chair.press(f"Invite {nominee} by e-mail", "The invitation has been queued by e-mail.")
    scene.axe(page, "committee: nomination results")


def _consent(scene: Scene, links: dict[str, str], numbers: tuple[str, ...]) -> None:
    """Each candidate opens their consent link and agrees."""
    for number in numbers:
        words = WORDS[LANGUAGE[number]]
        with scene.visit(LANGUAGE[number]) as tab:
            tab.goto(links[number])
            tab.locator("#answer-0").check()  # "yes, I agree"
            tab.get_by_role("button", name=words["answer"]).click()
            tab.get_by_text(words["agreed"]).wait_for()
            if number == numbers[0]:
                scene.axe(tab, f"candidate ({LANGUAGE[number]}): consent")


def _candidacy(scene: Scene, chair: Member) -> None:
    """A union list through the union's link, then a free list through an employee's register link."""
    _step(scene, chair, "Open the union lists period")
    chair.open("lists")
    chair.press("Send every union a new submission link", "Submission links for the unions")
    scene.send_mail()
    union_link = scene.sink.links(r"(https?://\S+/lists/union#t=\S+)")["kader@fnv.example"]
    with scene.visit("nl") as union:
        union.goto(union_link)
        union.locator("#name").fill("FNV Haven")
        union.locator("#candidates").fill("\n".join(UNION_LIST))
        for declared in UNION_DECLARATIONS:  # WOR art. 9 lid 2 sub a
            union.locator(f"#{declared}").check()
        union.get_by_role("button", name=WORDS["nl"]["submit"]).click()
        union.get_by_text(WORDS["nl"]["received"]).wait_for()
        scene.axe(union, "union (nl): lists")
    scene.send_mail()
    _consent(scene, scene.mailed_links("/lists/consent"), UNION_LIST)

    advance_to(scene.app, scene.day("free_candidacy_opens"))
    _step(scene, chair, "Open the free lists period")
    chair.open("register")
    chair.page.get_by_label("Employee number or part of the name").fill(FREE_SUBMITTER)
    chair.page.get_by_label("Employee number or part of the name").press("Enter")
    chair.press(f"New link for {NAME[FREE_SUBMITTER]}", "This link is shown only now")
    token = re.search(r"/register/self#t=([A-Za-z0-9_-]+)", chair.text())
    assert token
    language = LANGUAGE[FREE_SUBMITTER]
    with scene.visit(language) as employee:
        employee.goto(f"{scene.base}/lists/free#t={token.group(1)}")
        employee.locator("#name").fill("Samen Sterk")
        employee.locator("#candidates").fill("\n".join(FREE_LIST))
        employee.locator("#declaration-0").check()  # WOR art. 9 lid 2 sub b: not in a union that filed a list
        employee.get_by_role("button", name=WORDS[language]["submit"]).click()
        employee.get_by_text(WORDS[language]["received"]).wait_for()
        scene.axe(employee, f"employee ({language}): free list")
    scene.send_mail()
    _consent(scene, scene.mailed_links("/lists/consent"), FREE_LIST)


def _lists(scene: Scene, chair: Member, second: Member) -> None:
    """The committee examines both lists, publishes them, and makes them final after the objection window."""
    advance_to(scene.app, scene.day("free_lists_deadline", 1))
    _step(scene, chair, "Close candidacy and check the lists")
    chair.open("lists")
    assert "2 list(s) not yet judged valid or invalid: FNV Haven, Samen Sterk" in chair.text()
    scene.axe(chair.page, "committee: lists")
    for name in ("FNV Haven", "Samen Sterk"):
        chair.open("lists")
        chair.page.get_by_role("link", name=name, exact=True).click()
        chair.press("Judge the list", "the list meets every rule")

    advance_to(scene.app, scene.day("lists_published"))
    _step(scene, chair, "Publish the candidate lists", second)
    with scene.visit("en") as public:
        public.goto(f"{scene.base}/lists/{scene.election_id}")
        assert public.get_by_role("heading", name="List 1: FNV Haven").is_visible()
        assert public.get_by_role("heading", name="List 2: Samen Sterk").is_visible()
        scene.axe(public, "public (en): published lists")
    advance_to(scene.app, scene.day("list_objection_end", 1))
    _step(scene, chair, "Make the lists final")


def _key_ceremony(scene: Scene, members: list[Member]) -> list[Trustee]:
    """Five trustees create a 3-of-5 key with ``stembus trustee`` on their own computers."""
    chair = members[0]
    chair.open("ceremony")
    for k in range(5):
        chair.page.locator(f"#members-{k}").check()
    chair.press("Start the key ceremony", "Download your invitation file")
    trustees = [Trustee(j, m, scene.folder / f"trustee-{j}") for j, m in enumerate(members, start=1)]
    for trustee in trustees:
        trustee.join()
    for stage in ("commit", "reveal", "deal", "receive"):
        pages = [trustee.take_part(stage) for trustee in trustees]
    assert "The key ceremony is complete and its transcript verifies." in pages[-1]
    for trustee in trustees:
        assert "The transcript verifies" in trustee.finish()
    members[1].open("ceremony")
    scene.axe(members[1].page, "committee (nl): key ceremony")
    return trustees


def _voting_codes(scene: Scene, chair: Member, second: Member) -> dict[str, str]:
    """Issue the codes (proposed and confirmed), let the mail worker mint and send them; the booth links."""
    chair.open("voting-codes")
    chair.press("Issue the voting codes", "Issuing the voting codes waits for confirmation")
    second.open("voting-codes")
    second.press("Bevestigen: stemcodes uitgeven", "De stemcodes zijn uitgegeven.")
    assert scene.send_mail() == 40
    mails = {str(m["To"]): text_of(m) for m in scene.sink.received if "#code=" in text_of(m)}
    links = {number: booth_link(mails[f"p{number}@haven.example"]) for number in NAME}
    assert len(set(links.values())) == 40
    assert all(("/vote/" if LANGUAGE[n] == "en" else "/stem/") in link for n, link in links.items())
    second.open("voting-codes")
    [header] = [row for row in _rows(second.page) if row[:2] == ["Kiesgroep", "Kiezers"]]
    [total] = [row for row in _rows(second.page) if row[:1] == ["Totaal"]]
    assert dict(zip(header, total, strict=True))["E-mail verstuurd"] == "40"
    scene.axe(second.page, "committee (nl): voting codes")
    return links


def _voting(scene: Scene, links: dict[str, str]) -> Counter[str | None]:
    """Thirty employees vote from their e-mail links; the first tests a ballot with the checker first."""
    choices: list[str | None] = [number for number, votes in PLAN.items() for _ in range(votes)]
    random.Random(2027).shuffle(choices)
    voters = [number for number, _, _ in PEOPLE][:30]
    for k, (number, choice) in enumerate(zip(voters, choices, strict=True)):
        language = LANGUAGE[number]
        with scene.visit(language) as page:
            voter = Voter(page, language)
            voter.open(links[number])
            wanted = NAME[choice] if choice else None
            shown = _test_a_ballot(scene, voter, wanted) if k == 0 else voter.review(wanted)
            assert voter.cast() == shown
            if k in (0, 4):  # a Dutch and an English voter
                scene.axe(page, f"voter ({language}): receipt")
            if k == 4:
                page.get_by_role("link", name="Find your ballot on the public board").click()
                page.get_by_text("will be counted").wait_for()
                scene.axe(page, "voter (en): public board")
    return Counter(choices)


def _test_a_ballot(scene: Scene, voter: Voter, choice: str | None) -> str:
    """Benaloh test: the checker opens the tested ballot and finds the choice; returns the new ballot's code."""
    scene.axe(voter.page, f"voter ({voter.language}): ballot")
    tested = voter.review(choice)
    scene.axe(voter.page, f"voter ({voter.language}): review")
    voter.page.locator("#test-button").click()
    document = voter.page.locator("#test-document")
    document.wait_for()
    with voter.page.context.expect_page() as opened:
        voter.page.locator("#checker-link").click()
    checker = opened.value
    checker.wait_for_load_state()  # the checker's script takes over the form once loaded
    checker.locator("#challenge-document").fill(document.input_value())
    checker.locator("#challenge-form button").first.click()
    checker.locator("#status").wait_for(state="visible")
    assert checker.locator("#tracking-code").inner_text() == tested
    assert (choice or "Blanco stem") in checker.locator("tr.chosen").inner_text()
    scene.axe(checker, "voter (nl): independent checker")
    checker.close()
    voter.page.locator("#after-test-button").click()  # the tested ballot is spoilt; the choice is encrypted anew
    expect(voter.page.locator("#review-tracking")).not_to_have_text(tested)
    return str(voter.page.locator("#review-tracking").inner_text())


def _count(scene: Scene, chair: Member, trustees: list[Trustee]) -> None:
    """Three of the five trustees decrypt the tally; the committee fixes the lot seed in public."""
    for trustee in trustees:
        trustee.decrypt()
    chair.open("count")
    assert "Enough trustees have shared: the counts are decrypted." in chair.text()
    chair.page.get_by_label("Lot seed as fixed in public (for example the dice thrown at the count meeting)").fill(
        "dobbelstenen 3 1 6 5 2"
    )
    chair.press("Fix the lot seed", "Elected:")
    elected = ", ".join(NAME[n] for n in ELECTED)
    assert f"Elected: {elected}" in chair.text()
    scene.axe(chair.page, "committee: count")


def _result(scene: Scene, chair: Member) -> str:
    """Seats on the results page, the official report, the announcement, and the record published."""
    chair.open("results")
    rows = _rows(chair.page)
    for name, votes, seats in (("FNV Haven", "14", "3"), ("Samen Sterk", "11", "2")):
        assert any(row[:2] == [name, votes] and row[-1] == seats for row in rows), (name, rows)
    assert f"{NAME[ELECTED[0]]} (FNV Haven)" in chair.text()  # first in the order of election
    scene.axe(chair.page, "committee: results")
    report = chair.download(
        chair.page.get_by_role("link", name="Official report (proces-verbaal)"), scene.folder / "report.pdf"
    )
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.read_bytes())).pages).split())
    assert "proces-verbaal" in text and all(NAME[n] in text for n in ELECTED)
    _step(scene, chair, "Announce the result")
    chair.open("record")
    chair.press("Publish the record", "The record is published.")
    public = chair.page.locator('main a[href^="http"][href*="/record/"]').first.get_attribute("href")
    assert public
    return public


def _record_verifies(scene: Scene, public_url: str, chosen: Counter[str | None]) -> None:
    """An auditor's and the public's view; the downloaded record passes ``stembus verify`` with these counts."""
    auditor = scene.member(Role.AUDITOR, "accountant@haven.example", "nl")
    auditor.election_id = scene.election_id
    auditor.open("record")
    scene.axe(auditor.page, "auditor (nl): election record")
    with scene.visit("en") as anyone:
        anyone.goto(f"{scene.base}/result/{scene.election_id}")
        scene.axe(anyone, "public (en): result")
        anyone.goto(public_url)
        scene.axe(anyone, "public (en): published record")
        archive = download(
            anyone, anyone.get_by_role("link", name="Download the record (.zip)"), scene.folder / "r.zip"
        )
        checksum = download(anyone, anyone.get_by_role("link", name="Download its SHA-256"), scene.folder / "r.sha256")
    assert checksum.read_text().split()[0] == hashlib.sha256(archive.read_bytes()).hexdigest()

    report = json.loads(run_stembus("verify", "--json", "--jobs", "1", str(archive)))
    assert report["valid"], [check for check in report["checks"] if not check["ok"]]
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    [group] = manifest["groups"]
    names = {c["id"]: c["name"] for lst in group["lists"] for c in lst["candidates"]}
    counted = {names.get(option, option): votes for option, votes in report["counts"][group["id"]].items()}
    expected = {NAME[n] if n else "blank": votes for n, votes in chosen.items()}
    assert counted == expected and sum(counted.values()) == 30
    assert report["summary"]["challenged"] == 1  # the tested ballot is on the board but not counted
    assert sorted(names[c] for c in report["seats"][group["id"]]["elected"]) == sorted(NAME[n] for n in ELECTED)
