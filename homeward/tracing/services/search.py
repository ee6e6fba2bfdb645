"""Automatic search both ways, and the candidates it leaves for review."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.cases.models import Person, Stay
from homeward.tracing import found_table, matcher
from homeward.tracing.models import (
    Candidate,
    FaceVector,
    FoundChange,
    FoundDna,
    MissingReport,
    ReportPhoto,
)
from homeward.tracing.services import pools
from homeward.tracing.services.common import require_tracer


def _floor() -> float:
    return float(getattr(settings, "TRACING_CANDIDATE_FLOOR", 0.01))


def _embed(source, *, year: int | None) -> dict:
    """Face-engine analysis of one stored photo, as FaceVector fields."""
    from homeward.matching.face.photo import PhotoError
    from homeward.matching.face.pipeline import analyse_photo

    try:
        with source.open("rb") as handle:
            analysis = analyse_photo(handle.read())
    except PhotoError as exc:
        return {"model": "", "vector": None, "accepted": False, "reasons": [str(exc)]}
    vector = analysis.embedding
    return {
        "model": analysis.model_name,
        "vector": vector.astype("<f4").tobytes() if vector is not None else None,
        "accepted": analysis.report.accepted,
        "reasons": [r.code for r in analysis.report.reasons],
        "taken_year": year,
    }


@transaction.atomic
def face_embed_person(person: Person) -> list[FaceVector]:
    """Embed each of the person's photos not embedded yet; returns the new embeddings.

    Each photo keeps its own embedding (a face ages; every photo is compared), and an
    embedding from before photos were kept apart (no photo named) is dropped.
    """
    FaceVector.objects.filter(
        kind=FaceVector.Kind.FOUND, person=person, person_photo__isnull=True
    ).delete()
    made = []
    for photo in person.photos.filter(face__isnull=True):
        year = photo.taken_on.year if photo.taken_on else None
        made.append(
            FaceVector.objects.create(
                kind=FaceVector.Kind.FOUND,
                person=person,
                person_photo=photo,
                **_embed(photo.image, year=year),
            )
        )
    return made


@transaction.atomic
def face_embed_report_photo(photo: ReportPhoto) -> FaceVector:
    FaceVector.objects.filter(report_photo=photo).delete()
    fields = _embed(photo.image, year=photo.taken_year)
    return FaceVector.objects.create(kind=FaceVector.Kind.MISSING, report_photo=photo, **fields)


def _store(
    candidates: list[dict], people: dict[str, Person], reports: dict[str, MissingReport]
) -> list[Candidate]:
    """Keep the candidates above the floor; a rejected or decided pair is never reopened.

    A pair already on the desk gets the new figures even when they fall below the floor
    (a second photo that is plainly someone else): it never keeps a probability that the
    evidence no longer gives."""
    kept = []
    for c in candidates:
        person, report = people[c["found"]], reports[c["missing"]]
        existing = Candidate.objects.filter(person=person, report=report).first()
        below = c["posterior"] < _floor()
        if below and (existing is None or existing.status == Candidate.Status.CLOSED):
            continue
        stay = person.stays.filter(status=Stay.Status.IN_STATION).order_by("-admitted_at").first()
        if stay is None:
            continue
        lr = c["log10_lr"]
        values = {
            "station_id": stay.station_id,
            "posterior": c["posterior"],
            "log10_attributes": lr["attributes"],
            "log10_face": lr["face"],
            "log10_dna": lr["dna"],
            "log10_total": lr["total"],
            "evidence": {
                "attributes": c.get("attributes", {}),
                "prior": c.get("prior_log10_odds"),
                "rivals": c.get("rivals_log10"),
            },
            "model_version": c.get("model", ""),
        }
        if existing is None:
            kept.append(Candidate.objects.create(person=person, report=report, **values))
        elif existing.status in (
            Candidate.Status.OPEN,
            Candidate.Status.INQUIRY,
            Candidate.Status.CLOSED,
        ):
            # A pair closed when the person left is open again: they are back in a station.
            if existing.status == Candidate.Status.CLOSED:
                existing.status, existing.reject_reason = Candidate.Status.OPEN, ""
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            if not below:
                kept.append(existing)
    return kept


def _found_records(people) -> tuple[dict[str, Person], list[dict]]:
    pairs = matcher.found_records(people)
    return {record["id"]: person for person, record in pairs}, [record for _, record in pairs]


def _search(people, *, top: int = 10, cluster: str = "") -> list[Candidate]:
    """Match `people` against every verified report, keep the candidates and each
    person's pool (`services.pools`)."""
    by_id, found = _found_records(people)
    table, searchable = matcher.report_table()  # once: the candidates name its reports
    reports = {matcher.missing_id(r.pk): r for r in searchable}
    result = matcher.match_table(table, found, top, cluster=cluster)
    pools.keep_pools(result["pools"], by_id, table)
    return _store(result["candidates"], by_id, reports)


def _search_report(report: MissingReport, *, top: int) -> list[Candidate]:
    """One report against the people the blocking rules compare it with
    (`ReportTable.pairs_with`); nobody else's pairs change.

    The report is scored in one pair per person and folded into their kept pools
    (`services.pools`): a pool's size and sums give the pair the prior and rivals of a
    full match, with no other pair matched again. The fold, its marker and its candidates
    commit together, and nothing slow runs in that transaction. A person with no pool
    kept (new, or scored by another model) or whose pool may count another version of the
    report is matched in full against every report, as the nightly re-link does, and
    their pool made anew."""
    table, _searchable = matcher.report_table()
    people = found_table.found_people(table)
    wanted = matcher.missing_id(report.pk)
    pairs = table.pairs_with(people, wanted)
    persons = Person.objects.in_bulk([matcher.person_pk(f) for f in pairs["found"]])
    by_id = {matcher.found_id(pk): person for pk, person in persons.items()}
    admitted = [by_id[f] for f in pairs["found"] if f in by_id]
    with transaction.atomic():
        lacking, counting = pools.foldable_pools(report, admitted, table, top)
        kept = _store_named(pools.fold(table, pairs, lacking, counting, by_id, wanted), by_id)
    rest = {matcher.found_id(p.pk) for p in admitted if p.pk not in lacking | counting.keys()}
    result = matcher.match_table(table, [people.record(f) for f in sorted(rest)], top, parsed=True)
    with transaction.atomic():
        pools.keep_pools(result["pools"], by_id, table)
        # The new report's pairs, and the pairs already on the desk of the people it
        # weighs in on: their posteriors count the new report among their rivals now.
        touched = {c["found"] for c in result["candidates"] if c["missing"] == wanted}
        ids = {by_id[found_id].pk: found_id for found_id in touched}
        on_desk = {
            (ids[person_id], matcher.missing_id(report_id))
            for person_id, report_id in Candidate.objects.filter(
                person_id__in=ids,
                status__in=(Candidate.Status.OPEN, Candidate.Status.INQUIRY),
            ).values_list("person_id", "report_id")
        }
        matched = [
            c
            for c in result["candidates"]
            if c["missing"] == wanted or (c["found"], c["missing"]) in on_desk
        ]
        return kept + _store_named(matched, by_id)


def _store_named(candidates: list[dict], by_id: dict[str, Person]) -> list[Candidate]:
    """`_store`, the reports the candidates name read by their ids."""
    named = MissingReport.objects.in_bulk([matcher.report_pk(c["missing"]) for c in candidates])
    return _store(candidates, by_id, {matcher.missing_id(pk): r for pk, r in named.items()})


def search_for_person(person: Person, *, top: int = 10) -> list[Candidate]:
    """Compare one found person with every verified report."""
    return _search([person], top=top)


def search_for_report(report: MissingReport, *, top: int = 10) -> list[Candidate]:
    """Compare one verified report with every person in a station."""
    if report.status != MissingReport.Status.VERIFIED:
        return []
    return _search_report(report, top=top)


def relink_all(*, top: int = 10) -> int:
    """The nightly full re-link: every person in a station against every verified report,
    after the kept table of reports is checked against the database; on the Dask cluster
    of `settings.MATCH_CLUSTER` when one is named."""
    matcher.report_table_verify()
    FoundChange.objects.filter(at__lt=timezone.now() - matcher.LOG_KEPT).delete()
    found_table.forget()  # read everyone again: rows written without a log row are seen
    people = matcher.searchable_people()
    return len(_search(people, top=top, cluster=settings.MATCH_CLUSTER))


@transaction.atomic
def found_dna_set(
    *, person: Person, status: str, by: User, profile: dict | None = None, lab: str = ""
) -> FoundDna:
    """Record the police DNA sampling of a found person, and search once a profile is in."""
    from homeward.matching.dna.errors import DnaError
    from homeward.matching.dna.profiles import parse_profile

    stay = person.stays.order_by("-admitted_at").first()
    require_tracer(by, stay.station if stay else None)
    if status not in FoundDna.Status.values:
        raise ValidationError({"status": _("Unknown DNA status.")})
    if status == FoundDna.Status.ENTERED:
        try:
            parse_profile(
                profile or {}, field="profile", sex=person.sex if person.sex != "U" else None
            )
        except DnaError as exc:
            raise ValidationError({"profile": str(exc)}) from None
    dna, _created = FoundDna.objects.get_or_create(person=person, defaults={"status": status})
    dna.status = status
    dna.lab = lab.strip() or dna.lab
    if status == FoundDna.Status.ENTERED:
        dna.profile = profile
    dna.save()
    audit_record(actor=by, action="update", obj=person, detail={"dna": status})
    if status == FoundDna.Status.ENTERED:
        from homeward.tracing.tasks import search_for_person_job

        transaction.on_commit(lambda: search_for_person_job(person.pk))
    return dna
