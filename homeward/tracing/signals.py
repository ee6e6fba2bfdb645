"""Tracing reacts to intake: a new stay is searched for (its photo embedded first); and
to any change of what the matcher reads of the reports: its kept table is built again."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from homeward.cases.models import Person, Stay
from homeward.cases.signals import (
    person_corrected,
    person_merged,
    person_photo_added,
    stay_admitted,
    stay_ended,
)
from homeward.tracing.models import (
    FaceVector,
    FoundChange,
    FoundDna,
    MissingReport,
    Relative,
    ReportChange,
    ReportPhoto,
)


@receiver(stay_admitted)
def _search_new_stay(sender, stay, **kwargs) -> None:
    from homeward.tracing.tasks import search_for_person_job

    search_for_person_job(stay.person_id)


@receiver(person_corrected)
@receiver(person_photo_added)
def _search_corrected_person(sender, person, **kwargs) -> None:
    """A corrected record or a new photo: the search embeds the photos not embedded yet
    and compares again, while the person is in a station."""
    from homeward.cases.models import Stay
    from homeward.tracing.tasks import search_for_person_job

    if person.stays.filter(status=Stay.Status.IN_STATION).exists():
        search_for_person_job(person.pk)


@receiver(person_merged)
def _follow_merge(sender, kept, merged, undone=False, **kwargs) -> None:
    from homeward.tracing.services.review import candidates_follow_merge, faces_follow_unmerge
    from homeward.tracing.tasks import search_for_person_job

    # The faces and `merged_into` move by queryset updates, which log nothing themselves:
    # the kept found people of every process read both records again.
    FoundChange.objects.bulk_create([FoundChange(person_id=p.pk) for p in (kept, merged)])

    if undone:
        faces_follow_unmerge(merged=merged)
        for person in (kept, merged):
            transaction.on_commit(lambda pk=person.pk: search_for_person_job(pk))
    else:
        candidates_follow_merge(kept=kept, merged=merged, by=kwargs.get("by"))
        transaction.on_commit(lambda: search_for_person_job(kept.pk))


@receiver(stay_ended)
def _withdraw_notice(sender, stay, **kwargs) -> None:
    from django.utils.translation import gettext as _

    from homeward.tracing.services.notices import notice_withdraw
    from homeward.tracing.services.review import candidates_close

    notice_withdraw(stay=stay)
    # The person left: nothing is left to decide on their other candidates. A transfer is
    # not leaving care: the receiving station goes on with them.
    exit_ = getattr(stay, "exit", None)
    if exit_ is not None and exit_.kind == "transferred":
        return
    how = exit_.get_kind_display() if exit_ is not None else ""
    candidates_close(
        person=stay.person,
        reason=_("The person left the station (%(how)s).") % {"how": how}
        if how
        else _("The person left the station."),
        by=kwargs.get("by"),
    )


def _reports_changed(sender, **kwargs) -> None:
    from homeward.tracing.matcher import reports_changed

    # After the commit, so that a search in another process that sees the new generation
    # also sees the rows (the stamp's counts and latest times alone depend on commit order).
    transaction.on_commit(reports_changed)


def _report_of(instance) -> int | None:
    """The report a changed row belongs to (None for a found person's embedding)."""
    if isinstance(instance, MissingReport):
        return instance.pk
    if isinstance(instance, (Relative, ReportPhoto)):
        return instance.report_id
    if instance.kind == FaceVector.Kind.MISSING and instance.report_photo_id:
        photo = ReportPhoto.objects.filter(pk=instance.report_photo_id).first()
        return photo.report_id if photo is not None else None  # a deleted photo said so
    return None


def _log_report_change(sender, instance, raw=False, **kwargs) -> None:
    """In the change's own transaction: the change and its log row commit together (a
    fixture's raw rows are not changes: a table is built from them)."""
    if raw:
        return
    report_id = _report_of(instance)
    if report_id is not None:
        ReportChange.objects.create(report_id=report_id)


for _model in (MissingReport, Relative, ReportPhoto, FaceVector):
    post_save.connect(_reports_changed, sender=_model, dispatch_uid=f"reports-{_model.__name__}")
    post_delete.connect(_reports_changed, sender=_model, dispatch_uid=f"reports-{_model.__name__}-")
    post_save.connect(_log_report_change, sender=_model, dispatch_uid=f"log-{_model.__name__}")
    post_delete.connect(_log_report_change, sender=_model, dispatch_uid=f"log-{_model.__name__}-")


def _person_of(instance) -> int | None:
    """The found person a changed row belongs to (None for a report's embedding)."""
    if isinstance(instance, Person):
        return instance.pk
    if isinstance(instance, (Stay, FoundDna)):
        return instance.person_id
    if instance.kind == FaceVector.Kind.FOUND:
        return instance.person_id
    return None


def _log_found_change(sender, instance, raw=False, **kwargs) -> None:
    """In the change's own transaction, as `_log_report_change`."""
    if raw:
        return
    person_id = _person_of(instance)
    if person_id is not None:
        FoundChange.objects.create(person_id=person_id)


for _model in (Person, Stay, FaceVector, FoundDna):
    post_save.connect(_log_found_change, sender=_model, dispatch_uid=f"found-{_model.__name__}")
    post_delete.connect(_log_found_change, sender=_model, dispatch_uid=f"found-{_model.__name__}-")


@receiver(pre_save, sender=Relative, dispatch_uid="dna-forget-relative-saving")
def _relative_profile_replacing(sender, instance, raw=False, **kwargs) -> None:
    """A relative's profile about to be erased or replaced: noted on the instance, acted on
    once the row is written (a save outside a transaction commits only then)."""
    if raw or instance.pk is None:
        return
    rows = Relative.objects.filter(pk=instance.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()  # a change committing meanwhile is not missed
    old = rows.values_list("profile", flat=True).first()
    instance._dna_replaced = bool(old) and old != instance.profile


@receiver(post_save, sender=Relative, dispatch_uid="dna-forget-relative-saved")
def _relative_profile_replaced(sender, instance, raw=False, **kwargs) -> None:
    """The family as it was leaves every DNA index kept on disk once the change commits
    (`services.dna_index`). A profile added where there was none leaves nothing behind."""
    from homeward.tracing.services.dna_index import dna_forget_later

    if not raw and instance.__dict__.pop("_dna_replaced", False):
        dna_forget_later(instance.report_id)


@receiver(post_delete, sender=Relative, dispatch_uid="dna-forget-relative-deleted")
def _relative_deleted(sender, instance, **kwargs) -> None:
    from homeward.tracing.services.dna_index import dna_forget_later

    if instance.profile:
        dna_forget_later(instance.report_id)
