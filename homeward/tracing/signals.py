"""Tracing reacts to intake: a new stay is searched for (its photo embedded first)."""

from __future__ import annotations

from django.dispatch import receiver

from homeward.cases.signals import stay_admitted, stay_ended


@receiver(stay_admitted)
def _search_new_stay(sender, stay, **kwargs) -> None:
    from homeward.tracing.tasks import search_for_person_job

    search_for_person_job(stay.person_id)


@receiver(stay_ended)
def _withdraw_notice(sender, stay, **kwargs) -> None:
    from homeward.tracing.services.notices import notice_withdraw

    notice_withdraw(stay=stay)
