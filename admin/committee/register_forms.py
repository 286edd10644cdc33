"""Forms for the electoral register: upload, column mapping, group rule, checks, links, objections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from admin.register_text import FIELDS
from election.register_import import FIELD_SYNONYMS
from election.register_store import GROUP_RULE_FIELDS


class UploadForm(FlaskForm):
    """The HR export file."""

    file = FileField(_l("HR export (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file to upload."))])


class ActionForm(FlaskForm):
    """An empty form: a button that needs a CSRF token."""


class SkipForm(FlaskForm):
    """The committee's choice to leave out the rows with errors."""

    skip = BooleanField(_l("Leave out the rows named above and continue with the other rows"))


class LinksForm(FlaskForm):
    """Issue self-check links for HR."""

    reissue = BooleanField(_l("Replace every existing link (the old links stop working)"))


def mapping_form(
    headers: Sequence[str], mapping: Mapping[str, str], rule: Mapping[str, Any], single_group: bool
) -> FlaskForm:
    """A form with, for each of our fields, a choice among the file's columns, and the group rule."""
    choices = [SelectChoice("", _l("(not in the file)"))] + [SelectChoice(h, h) for h in dict.fromkeys(headers) if h]
    fields: dict[str, Any] = {
        f"col_{name}": SelectField(FIELDS[name], choices=choices, default=mapping.get(name, ""))
        for name in FIELD_SYNONYMS
    }
    sources = [
        SelectChoice("column", _l("From the electoral group column")),
        SelectChoice("rule", _l("By a rule: department or location decides the group")),
    ]
    if single_group:
        sources.append(SelectChoice("none", _l("Everyone is in the same group")))
    fields["group_source"] = RadioField(
        _l("How are people assigned to electoral groups?"), choices=sources, default=rule.get("source", "column")
    )
    fields["group_by"] = SelectField(
        _l("The rule uses"),
        choices=[SelectChoice(f, FIELDS[f]) for f in GROUP_RULE_FIELDS],
        default=rule.get("by", "department"),
    )
    form: FlaskForm = type("MappingForm", (FlaskForm,), fields)()
    return form


def group_rule_form(values: Sequence[str], groups: Sequence[str], current: Mapping[str, str]) -> FlaskForm:
    """A form with one choice of electoral group per value found in the rule's column."""
    choices = [SelectChoice("", _l("(not assigned)"))] + [SelectChoice(g, g) for g in groups]
    fields = {
        f"v{i}": SelectField(value or _l("(empty)"), choices=choices, default=current.get(value, ""))
        for i, value in enumerate(values)
    }
    form: FlaskForm = type("GroupRuleForm", (FlaskForm,), fields)()
    return form


class DecisionForm(FlaskForm):
    """The committee's decision on an objection, with the corrected entry when it is upheld."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("upheld", _l("Upheld: correct the entry")), SelectChoice("rejected", _l("Rejected"))],
        validators=[DataRequired(_l("Choose a decision."))],
    )
    reasons = TextAreaField(
        _l("Reasons (sent to the employee)"),
        validators=[DataRequired(_l("Give the reasons for the decision.")), Length(max=4000)],
    )
    active = BooleanField(_l("May vote (active voting right)"))
    passive = BooleanField(_l("May stand as a candidate (passive voting right)"))
    group = SelectField(_l("Electoral group"), coerce=int, choices=[])
