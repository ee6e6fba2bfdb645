"""Merging duplicate person records, and undoing a merge. Never automatic."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.cases.models import Person, PersonMerge, PersonPhoto
from homeward.cases.services.common import require_case_writer
from homeward.cases.signals import person_merged


@transaction.atomic
def person_merge(*, kept: Person, merged: Person, reason: str, by: User) -> PersonMerge:
    """Record that `merged` is the same person as `kept`.

    The merged record keeps its own stays and fields (history keeps both); it
    points at the kept one, and every read of the person follows the pointer.
    """
    station = kept.stays.order_by("-admitted_at").first()
    if station is not None:
        require_case_writer(by, station.station)
    if kept.pk == merged.pk:
        raise ValidationError({"merged": _("A record cannot be merged into itself.")})
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError({"merged": _("One of these records is already merged.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why these are the same person.")})
    if kept.id_number and merged.id_number and kept.id_number != merged.id_number:
        raise ValidationError({"merged": _("The two records have different ID numbers.")})
    Person.objects.filter(merged_into=merged).update(merged_into=kept)
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at"])
    # The photos follow the person (remembering whose they were, for an undo); tracing
    # moves the candidates and faces and searches again (`person_merged`).
    PersonPhoto.objects.filter(person=merged).update(person=kept, merged_from=merged)
    merge = PersonMerge.objects.create(
        kept=kept, merged=merged, reason=reason.strip(), merged_by=by
    )
    audit_record(actor=by, action="update", obj=kept, detail={"merged": merged.pk})
    person_merged.send(sender=Person, kept=kept, merged=merged, by=by, undone=False)
    return merge


@transaction.atomic
def person_merge_undo(*, merge: PersonMerge, by: User) -> PersonMerge:
    if merge.undone_at is not None:
        raise ValidationError({"merge": _("This merge has already been undone.")})
    Person.objects.filter(pk=merge.merged_id).update(merged_into=None)
    PersonPhoto.objects.filter(person=merge.kept, merged_from=merge.merged).update(
        person=merge.merged, merged_from=None
    )
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    audit_record(actor=by, action="update", obj=merge.kept, detail={"unmerged": merge.merged_id})
    person_merged.send(sender=Person, kept=merge.kept, merged=merge.merged, by=by, undone=True)
    return merge
