"""The retention table: for each kind of sensitive personal information, how long Homeward
keeps it, and why. The daily job (`privacy.services.retention_apply`) applies it; the
table is shown on /privacy/ and written out in docs/privacy.md.

The periods are settings (`PRIVACY_*_DAYS`), so a province whose rules differ changes a
number, not the code. Sources: the Personal Information Protection Law (PIPL) art. 19
(no longer than the purpose needs), 28-29 (sensitive information, separate consent), 31
(minors), 47 (erase when the purpose is achieved or consent is withdrawn), 56 (impact
records at least three years); the Cybersecurity Law art. 21 (logs at least six months).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    code: str
    data: Promise  # what is kept
    keep: Promise  # for how long, with %(days)s
    reason: Promise
    setting: str  # the settings entry holding the days

    @property
    def days(self) -> int:
        return int(getattr(settings, self.setting))

    def keep_text(self) -> str:
        return str(self.keep) % {"days": self.days}


RULES: tuple[Rule, ...] = (
    Rule(
        "relative_dna",
        _("Relatives' DNA profiles"),
        _(
            "Compared only under the relative's written consent. Erased %(days)s days after "
            "the report is reunited or closed, unless the relative consented to keeping it; "
            "erased at once when the consent is withdrawn."
        ),
        _(
            "Genetic data is sensitive (PIPL art. 28-29); its purpose ends with the search "
            "(art. 47)."
        ),
        "PRIVACY_RELATIVE_DNA_DAYS",
    ),
    Rule(
        "found_dna",
        _("The DNA profile of a person in care"),
        _("Erased %(days)s days after the person's reunion."),
        _("Taken to find their family (PIPL art. 28, 47); the police keep their own record."),
        "PRIVACY_FOUND_DNA_DAYS",
    ),
    Rule(
        "found_faces",
        _("Face vectors of reunited people"),
        _(
            "Erased %(days)s days after the reunion. The photos stay in the case file, which "
            "the station keeps under its archive rules; a new stay embeds them again."
        ),
        _("Biometric data is sensitive (PIPL art. 28); searching ends with the reunion."),
        "PRIVACY_FACE_DAYS",
    ),
    Rule(
        "report_contact",
        _("Families' phone numbers and e-mail, and the photos they gave"),
        _("Kept while the report is open; erased %(days)s days after it is reunited or closed."),
        _("Needed to reach the family and to search (PIPL art. 19, 47)."),
        "PRIVACY_REPORT_CONTACT_DAYS",
    ),
    Rule(
        "notices",
        _("Public tracing notices"),
        _(
            "Withdrawn when the stay ends (a reunion, a transfer, a departure) and never "
            "published again; the photo and description erased %(days)s days later."
        ),
        _("Published by duty to find the family; the duty ends with the stay (PIPL art. 47)."),
        "PRIVACY_NOTICE_DAYS",
    ),
    Rule(
        "tips",
        _("Tips from the public, with the tipster's contact"),
        _("Erased %(days)s days after the notice they answered is withdrawn."),
        _("Needed only while the station follows them up (PIPL art. 19)."),
        "PRIVACY_TIP_DAYS",
    ),
    Rule(
        "audit",
        _("The audit trail of reads and changes"),
        _("Kept %(days)s days, then deleted."),
        _(
            "Logs at least six months (Cybersecurity Law art. 21); records of processing "
            "sensitive information at least three years (PIPL art. 56)."
        ),
        "PRIVACY_AUDIT_DAYS",
    ),
)

RULE_CODES = frozenset(rule.code for rule in RULES)


def rule(code: str) -> Rule:
    return next(r for r in RULES if r.code == code)
