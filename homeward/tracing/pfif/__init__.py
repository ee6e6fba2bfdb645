"""People Finder Interchange Format (PFIF): export of our reports and notices as PFIF 1.4
(`export`), import of PFIF 1.1–1.4 files (`read`), record ids (`ids`), and the 1.4 rules
every export is checked against (`rules`, free of Django)."""

from homeward.tracing.pfif.export import (
    closed_reports,
    export_pfif,
    public_reports,
    withdrawn_notices,
)
from homeward.tracing.pfif.ids import PfifDomainError, domain
from homeward.tracing.pfif.read import PfifDocumentError, PfifImport, import_pfif, parse_pfif
from homeward.tracing.pfif.rules import Problem, check_pfif

__all__ = [
    "PfifDocumentError",
    "PfifDomainError",
    "PfifImport",
    "Problem",
    "check_pfif",
    "closed_reports",
    "domain",
    "export_pfif",
    "import_pfif",
    "parse_pfif",
    "public_reports",
    "withdrawn_notices",
]
