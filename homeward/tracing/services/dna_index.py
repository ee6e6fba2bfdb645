"""Relatives' DNA erased or replaced leaves the DNA indexes kept on disk.

Whatever erases or replaces a relative's profile (a family's request, a withdrawn consent,
the retention job, an HWX import, a restore's replay) saves or deletes the relative, and
`tracing/signals.py` calls `dna_forget_later` in that transaction. The request is a row
(`DnaForget`), so it commits with the erasure or not at all; once committed, the families
of those reports are blanked in every index folder (`matcher.dna_forget`), in one pass for
the whole transaction. A request a crash or a full disk interrupted stays pending, and the
five-minute job does it again (`dna_forget_pending`), failing visibly while it cannot.
Each try blanks what was read before the first one: a family read since is the report as
it is now.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from homeward.tracing import matcher
from homeward.tracing.models import DnaForget

logger = logging.getLogger(__name__)

DONE_KEPT = timedelta(days=7)  # done requests are dropped after this (they hold ids only)
SWEEP_AFTER = timedelta(minutes=1)  # the sweep leaves younger ones to their own commit


def dna_forget_later(report_id: int) -> None:
    """In the transaction that erases or replaces a relative's profile of this report."""
    DnaForget.objects.create(report_id=report_id)
    # One pass for the transaction, however many relatives it erased (the retention job's
    # night): a pass already waiting for this commit takes this request too.
    waiting = any(
        isinstance(hook[1], _AfterCommit) and not hook[1].ran for hook in connection.run_on_commit
    )
    if not waiting:
        transaction.on_commit(_AfterCommit(), robust=True)


class _AfterCommit:
    """Every request pending, the transaction's among them, once it has committed."""

    ran = False

    def __call__(self) -> None:
        self.ran = True
        try:
            dna_forget_pending()
        except Exception:  # noqa: BLE001 (the erasure committed; the sweep does it again)
            logger.exception("relatives' DNA could not be blanked in the kept indexes yet")


def dna_forget_pending(older_than: timedelta | None = None) -> int:
    """Blank the families of every pending request (those at least `older_than` old) in
    the kept DNA indexes, and mark them done. Returns the family rows blanked."""
    now = timezone.now()
    DnaForget.objects.filter(done_at__lt=now - DONE_KEPT).delete()
    pending = DnaForget.objects.filter(done_at__isnull=True)
    if older_than is not None:
        pending = pending.filter(at__lte=now - older_than)
    pending.filter(tried_at__isnull=True).update(tried_at=now)
    rows = list(pending.values_list("pk", "report_id", "tried_at"))
    if not rows:
        return 0
    forgotten: dict[int, float] = {}
    for _pk, report_id, tried_at in rows:
        # A report asked for twice: the later request's time (it covers the earlier's).
        forgotten[report_id] = max(tried_at.timestamp(), forgotten.get(report_id, 0.0))
    count = matcher.dna_forget(forgotten)
    DnaForget.objects.filter(pk__in=[pk for pk, *_ in rows]).update(done_at=timezone.now())
    return count
