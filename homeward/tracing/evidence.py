"""The evidence of a candidate pair in words a tracing officer uses.

Each part (face, DNA, what is known) gets a verbal strength on the ENFSI scale for
likelihood ratios, a sentence on what it rests on, read from the two records themselves;
the probability reads as a band, never "1.0000"; DNA reads as China's paternity-testing
practice does; and the page says what would settle the case. The numbers stay beside it.

Sources:
- ENFSI Guideline for Evaluative Reporting in Forensic Science (2015), the verbal scale:
  LR 2-10 weak, 10-100 moderate, 100-1,000 moderately strong, 1,000-10,000 strong,
  10,000-1,000,000 very strong, above 1,000,000 extremely strong support.
- GB/T 37223-2018 亲权鉴定技术规范: a combined paternity index (CPI) above 10,000 supports
  the tie, one below 0.0001 excludes it; in between the test is not conclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.tracing.models import Candidate

# (lowest |log10 LR|, strength) from the ENFSI scale; below 0.3 (LR 2) there is none.
STRENGTHS = [(6.0, "extremely strong"), (4.0, "very strong"), (3.0, "strong"),
             (2.0, "moderately strong"), (1.0, "moderate"), (0.3, "weak")]  # fmt: skip
# GB/T 37223-2018 thresholds, as log10 of the combined paternity index.
DNA_SUPPORTS, DNA_EXCLUDES = 4.0, -4.0
# A kinship index from one relative alone below this is within reach of chance in a search
# of many families: the DNA benchmark (docs/benchmarks.md) measured 1.72 unrelated families
# per query (16 at most) at 10^4 or more among 1,000,000 single-parent families, and 5.5
# among full siblings; both parents together, none.
LONE_RELATIVE_CHANCE = 6.0
# The other reports of the found person's search together at least double the odds against
# this one (fusion.Prior.rivals, log10): some other report fits them too.
RIVALS_NOTE = 0.3


def _strength_words() -> dict[str, str]:
    return {
        "extremely strong": _("extremely strong"),
        "very strong": _("very strong"),
        "strong": _("strong"),
        "moderately strong": _("moderately strong"),
        "moderate": _("moderate"),
        "weak": _("weak"),
    }


def verbal(log10_lr: float | None) -> str | None:
    """The ENFSI verbal strength of a likelihood ratio, and which way it points."""
    if log10_lr is None:
        return None
    size = abs(log10_lr)
    for floor, key in STRENGTHS:
        if size >= floor:
            strength = _strength_words()[key]
            if log10_lr > 0:
                return _("%(strength)s support for the same person") % {"strength": strength}
            return _("%(strength)s support for different people") % {"strength": strength}
    return _("points neither way")


def posterior_band(posterior: float) -> str:
    """The probability of the same person as a band a reader can act on."""
    percent = posterior * 100
    for low, high in ((99, 100), (95, 99), (80, 95), (50, 80), (20, 50), (5, 20), (1, 5)):
        if percent >= low:
            if high == 100:
                return _("over 99%")
            return _("%(low)d–%(high)d%%") % {"low": low, "high": high}
    return _("under 1%")


@dataclass
class Part:
    key: str  # face, dna, information
    title: str
    strength: str | None  # None: no evidence of this kind
    because: list[str] = field(default_factory=list)
    number: str = ""  # the figure behind the words, shown on request


@dataclass
class Reading:
    band: str
    parts: list[Part]
    settle: list[str]


def _age_words(candidate: Candidate) -> str | None:
    person, report = candidate.person, candidate.report
    age = person.age_on(timezone.localdate())
    if age is None or report.birth_date is None:
        return None
    today = timezone.localdate()
    born = report.birth_date
    expected = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    low, high = age
    if low - 3 <= expected <= high + 3:
        return _("the age fits: about %(age)d now, estimated %(low)d–%(high)d") % {
            "age": expected,
            "low": low,
            "high": high,
        }
    return _("the age does not fit: about %(age)d now, estimated %(low)d–%(high)d") % {
        "age": expected,
        "low": low,
        "high": high,
    }


def _name_words(candidate: Candidate) -> str | None:
    from homeward.matching.attributes.names import syllables

    person, report = candidate.person, candidate.report
    said = (person.name or "").strip()
    if not said:
        return None
    names = [report.name, *(report.aliases or [])]
    if said in names:
        return _("the same name (%(name)s)") % {"name": said}
    for name in names:
        if name and syllables(name) == syllables(said):
            return _("names that sound the same (%(a)s / %(b)s)") % {"a": said, "b": name}
    return _("different names (%(a)s / %(b)s)") % {"a": said, "b": report.name}


def _place_words(candidate: Candidate, stay) -> str | None:
    lost, found = candidate.report.lost_division, getattr(stay, "found_division", None)
    if lost is None or found is None:
        return None
    if lost.code[:6] == found.code[:6]:
        return _("found in the county where they were lost (%(place)s)") % {"place": found}
    if lost.code[:4] == found.code[:4]:
        return _("found in the city where they were lost (%(place)s)") % {"place": found}
    if lost.code[:2] == found.code[:2]:
        return _("found in the province where they were lost")
    return _("found far from where they were lost (%(lost)s → %(found)s)") % {
        "lost": lost,
        "found": found,
    }


def _face_words(candidate: Candidate, stay) -> list[str]:
    years = [p.taken_year for p in candidate.report.photos.all() if p.taken_year]
    words = []
    if years and stay is not None:
        gap = stay.admitted_at.year - max(years)
        if gap > 0:
            words.append(_("the photos are %(n)d years apart") % {"n": gap})
    if candidate.log10_face is not None:
        words.append(
            _("the faces look alike")
            if candidate.log10_face >= 1
            else _("the faces look somewhat alike")
            if candidate.log10_face > 0
            else _("the faces do not look alike")
        )
    return words


def _dna_words(candidate: Candidate) -> tuple[list[str], str]:
    log10 = candidate.log10_dna
    if log10 is None:
        return [], ""
    if log10 >= DNA_SUPPORTS:
        conclusion = _("supports the family tie")
    elif log10 <= DNA_EXCLUDES:
        conclusion = _("excludes the family tie")
    else:
        conclusion = _("not conclusive")
    cpi = 10**log10
    number = f"{cpi:.3g}" if 1e-4 <= cpi <= 1e6 else f"10^{log10:.1f}"
    relatives = [r.get_relation_display() for r in candidate.report.relatives.all() if r.searchable]
    words = [
        _("combined kinship index %(cpi)s: %(conclusion)s (GB/T 37223-2018)")
        % {"cpi": number, "conclusion": conclusion}
    ]
    if relatives:
        words.append(_("compared with: %(who)s") % {"who": "、".join(relatives)})
    return words, number


def read(candidate: Candidate) -> Reading:
    """The pair's evidence in words."""
    stay = candidate.person.stays.order_by("-admitted_at").first()
    dna_words, dna_number = _dna_words(candidate)
    info = [w for w in (_name_words(candidate), _age_words(candidate)) if w]
    place = _place_words(candidate, stay)
    if place:
        info.append(place)
    if candidate.person.sex in ("M", "F") and candidate.report.sex in ("M", "F"):
        info.append(
            _("the same sex")
            if candidate.person.sex == candidate.report.sex
            else _("a different sex")
        )
    parts = [
        Part(
            "face",
            _("Face"),
            verbal(candidate.log10_face),
            _face_words(candidate, stay),
            "" if candidate.log10_face is None else f"log10 LR {candidate.log10_face:.2f}",
        ),
        Part("dna", _("DNA"), verbal(candidate.log10_dna), dna_words, dna_number),
        Part(
            "information",
            _("What is known"),
            verbal(candidate.log10_attributes),
            info,
            ""
            if candidate.log10_attributes is None
            else f"log10 BF {candidate.log10_attributes:.2f}",
        ),
    ]
    return Reading(posterior_band(candidate.posterior), parts, _settle(candidate, stay))


def _relatives_with_dna(report) -> int:
    return sum(1 for r in report.relatives.all() if r.searchable)


def _settle(candidate: Candidate, stay) -> list[str]:
    """What would settle the case, from what is missing."""
    report, person = candidate.report, candidate.person
    steps = []
    has_relative_dna = any(r.searchable for r in report.relatives.all())
    found_dna = getattr(person, "dna", None)
    if candidate.log10_dna is None:
        if not has_relative_dna:
            steps.append(_("A DNA sample from a parent or child of the missing person."))
        if found_dna is None or not found_dna.profile:
            steps.append(_("The police DNA sample of the person in the station."))
    elif DNA_EXCLUDES < candidate.log10_dna < DNA_SUPPORTS:
        steps.append(_("A second relative's DNA (the other parent, or a child)."))
    elif (
        DNA_SUPPORTS <= candidate.log10_dna < LONE_RELATIVE_CHANCE
        and _relatives_with_dna(report) == 1
    ):
        steps.append(
            _(
                "Only one relative's DNA was compared, and an index of this size can come "
                "up by chance among many families: a second relative's sample (the other "
                "parent, or a child) would settle it."
            )
        )
    rivals = (candidate.evidence or {}).get("rivals")
    if rivals is not None and rivals >= RIVALS_NOTE:
        steps.append(
            _(
                "Other reports fit this person too: compare this person's other candidates "
                "side by side before calling a family."
            )
        )
    if not person.photo:
        steps.append(_("A clear photo of the person, face to the camera."))
    if not report.photos.exists():
        steps.append(_("A photo of the missing person from the family, with the year."))
    if not person.id_number:
        steps.append(_("A police check of the population records (人口信息比对)."))
    return steps
