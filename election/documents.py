"""The committee's documents as HTML and as PDF, in Dutch or English.

Each kind of document is one Jinja template in ``templates/documents/``; the same template gives
the page the committee reads in the browser and the PDF that WeasyPrint prints from it, with the
print stylesheet ``static/css/print.css`` read from disk. WeasyPrint may open local files under
``static/`` and nothing else: no network, no other file. PDFs are tagged (PDF/UA-1) and carry the
document's title and language as metadata.

Rendering needs a Flask application context (templates and translations); the language is forced
for the duration of the rendering, whatever the request's own language is.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import force_locale, format_date, format_time
from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from election import document_text

KINDS = (
    "announcement",
    "union_invitation",
    "register_extract",
    "objection_decision",
    "defect_notice",
    "candidate_lists",
    "nomination_letters",
    "nomination_invitation",
    "voting_code_letter",
    "official_report",
    "result_elected",
    "result_not_elected",
    "result_announcement",
)
LANGUAGES = ("nl", "en")

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
PRINT_CSS = STATIC / "css" / "print.css"

log = logging.getLogger("stembus.documents")


class UnknownDocument(ValueError):
    """No template exists for this kind of document or language."""


class LocalFilesOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """A WeasyPrint fetcher that opens files under ``static/`` and refuses every other URL."""

    def __init__(self, root: Path = STATIC) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve ``url`` when it is a file below the static folder; anything else stops rendering."""
        if not url.startswith("file:"):
            raise FatalURLFetchingError("documents may only use local files")
        path = Path(URLFetcherResponse(url).path or "").resolve()
        if not path.is_file() or not path.is_relative_to(self.root):
            raise FatalURLFetchingError("documents may only use files under static/")
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": _content_type(path)})


_CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def _content_type(path: Path) -> str:
    return _CONTENT_TYPES.get(path.suffix, "application/octet-stream")


def longdate(day: date | None) -> str:
    """A date as "12 maart 2027" or "12 March 2027" in the active language."""
    return str(format_date(day, "d MMMM y")) if day else ""


def daydate(day: date | None) -> str:
    """A date with its weekday: "vrijdag 12 maart 2027", "Friday 12 March 2027"."""
    return str(format_date(day, "EEEE d MMMM y")) if day else ""


def clocktime(moment: datetime) -> str:
    """The time of day in Europe/Amsterdam, 24-hour clock."""
    return str(format_time(moment, "HH:mm"))


def _check(kind: str, locale: str) -> None:
    if kind not in KINDS:
        raise UnknownDocument(f"unknown document kind {kind!r}")
    if locale not in LANGUAGES:
        raise UnknownDocument(f"documents exist in nl and en, not {locale!r}")


def render_html(kind: str, context: Any, locale: str, *, for_print: bool = False, **extra: Any) -> str:
    """Render document ``kind`` for ``context`` (its dataclass) as a complete HTML page in ``locale``.

    ``for_print`` leaves out the screen toolbar and the stylesheet link (the PDF gets the print
    stylesheet from disk); ``extra`` reaches the template as is (for example the PDF link).
    """
    _check(kind, locale)
    helpers = {
        "longdate": longdate,
        "daydate": daydate,
        "clocktime": clocktime,
        "step_label": document_text.step_label,
        "step_basis": document_text.step_basis,
        "reason_text": document_text.reason_text,
        "defect_text": document_text.defect_text,
    }
    with force_locale(locale):
        return render_template(
            f"documents/{kind}.html", doc=context, locale=locale, for_print=for_print, **helpers, **extra
        )


def render_pdf(kind: str, context: Any, locale: str) -> bytes:
    """Render document ``kind`` for ``context`` as a tagged PDF in ``locale`` and return its bytes."""
    page = render_html(kind, context, locale, for_print=True)
    fetcher = LocalFilesOnly()
    document = HTML(string=page, base_url=STATIC.as_uri() + "/", url_fetcher=fetcher)
    stylesheet = CSS(filename=str(PRINT_CSS), url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
    assert pdf is not None
    return bytes(pdf)
