"""The one error the DNA engine raises for bad input."""

from __future__ import annotations


class DnaError(ValueError):
    """Bad DNA input: a message for the user plus the field, locus and allele it concerns.

    The message is plain English; the web app translates it. `field` names the place in
    the input (``person``, ``relatives[1]``, ``frequencies``), `locus` and `allele` the
    marker concerned, so a form can point at the exact cell.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        locus: str | None = None,
        allele: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.locus = locus
        self.allele = allele

    def as_dict(self) -> dict[str, str | None]:
        """The error as JSON-ready data (what the CLI prints and the API returns)."""
        return {
            "error": self.message,
            "field": self.field,
            "locus": self.locus,
            "allele": self.allele,
        }
