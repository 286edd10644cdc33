"""Voting-code letters as one PDF and mails as ``.eml`` files and one ``.mbox``, made where the code is.

Two callers: ``stembus codes generate`` on the committee member's offline computer, where there is
no application, database or network, and the committee's replacement page, which streams a
one-person letter. Both use the service's own letter (``templates/documents/voting_code_letter.html``
through ``election.documents``) and code e-mail (``election.voting_mail_text``), so a voter gets the
same letter whoever made the code. The QR code opens the voting page with the code in the URL
fragment (``#code=...``), which browsers never send to a server.

Outside a Flask application a bare one is made for the rendering: templates, translations and the
Amsterdam time zone, nothing else.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

import segno
from flask import Flask, has_app_context
from flask_babel import Babel, get_locale
from markupsafe import Markup
from weasyprint import CSS, HTML

from election.documents import PRINT_CSS, ROOT, STATIC, LocalFilesOnly, render_html
from election.voting_mail_text import CODE_MARK, booth_link, code_mail

LETTER_KIND = "voting_code_letter"


@dataclass(frozen=True)
class CodeLetter:
    """One voter's letter or mail. The code lives only here, in memory, on its way to paper or mail."""

    name: str
    employee_number: str
    department: str
    group: str
    code: str
    language: str
    booth_url: str
    email: str = ""

    @property
    def link(self) -> str:
        """The voting page with the code in the fragment."""
        return booth_link(self.booth_url, self.code)


class LetterLike(Protocol):
    """What the letter template shows of one voter (``CodeLetter``, ``election.code_delivery.LetterCode``)."""

    @property
    def name(self) -> str: ...
    @property
    def employee_number(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def link(self) -> str: ...


@dataclass(frozen=True)
class Election:
    """What every letter says about the election."""

    organisation: str
    opens: datetime
    closes: datetime


@dataclass(frozen=True)
class _Page:
    voter: LetterLike
    qr: Markup


@dataclass(frozen=True)
class _Document:
    organisation: str
    booth_url: str
    opens: datetime
    closes: datetime
    letters: list[_Page]


def _bare_app() -> Flask:
    app = Flask(
        "stembus-letters",
        root_path=str(ROOT),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    Babel(app, locale_selector=lambda: "nl", timezone_selector=lambda: "Europe/Amsterdam")
    app.jinja_env.globals["get_locale"] = get_locale
    return app


@contextmanager
def rendering() -> Iterator[None]:
    """An application context for templates and translations: the running app's, or a bare one."""
    if has_app_context():
        yield
        return
    with _bare_app().app_context():
        yield


def qr_svg(link: str) -> Markup:
    """The QR code of ``link`` as inline SVG (WeasyPrint draws it without fetching anything)."""
    return Markup(segno.make(link, error="m").svg_inline(scale=3))  # noqa: S704 - segno's SVG, no user text


def letters_pdf(letters: Sequence[LetterLike], election: Election, language: str = "nl") -> bytes:
    """One tagged PDF with a page per letter: the Dutch letters first, then the English ones.

    A letter is printed in its own ``language`` when it has one, otherwise in ``language``; the
    voting page shown is its link without the code.
    """
    rendered = []
    fetcher = LocalFilesOnly()
    stylesheet = CSS(filename=str(PRINT_CSS), url_fetcher=fetcher)
    with rendering():
        for wanted in ("nl", "en"):
            mine = [letter for letter in letters if (getattr(letter, "language", None) or language) == wanted]
            if not mine:
                continue
            doc = _Document(
                election.organisation,
                mine[0].link.split("#", 1)[0],
                election.opens,
                election.closes,
                [_Page(letter, qr_svg(letter.link)) for letter in mine],
            )
            page = render_html(LETTER_KIND, doc, wanted, for_print=True)
            html = HTML(string=page, base_url=STATIC.as_uri() + "/", url_fetcher=fetcher)
            rendered.append(html.render(stylesheets=[stylesheet]))
    if not rendered:
        raise ValueError("no letters to print")
    pages = [page for document in rendered for page in document.pages]
    pdf = rendered[0].copy(pages).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None
    return bytes(pdf)


def mail_for(letter: CodeLetter, election: Election, from_address: str) -> EmailMessage:
    """The voter's code e-mail, the same text the service sends, with the code filled in."""
    with rendering():
        text = code_mail(
            letter.language,
            name=letter.name,
            organisation=election.organisation,
            group=letter.group,
            booth_url=letter.booth_url,
            opens=election.opens,
            closes=election.closes,
        )
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = letter.email
    message["Subject"] = text.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=from_address.rpartition("@")[2] or "localhost")
    message["Content-Language"] = letter.language
    message.set_content(text.text.replace(CODE_MARK, letter.code))
    return message


def write_mails(letters: Sequence[CodeLetter], election: Election, from_address: str, folder: Path) -> int:
    """One ``.eml`` per letter with an e-mail address, and all of them in ``mail.mbox``; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    box = mailbox.mbox(str(folder / "mail.mbox"), create=True)
    written = 0
    try:
        for number, letter in enumerate(letters, start=1):
            if not letter.email:
                continue
            message = mail_for(letter, election, from_address)
            (folder / f"{number:05d}.eml").write_bytes(message.as_bytes())
            box.add(message)
            written += 1
        box.flush()
    finally:
        box.close()
    return written
