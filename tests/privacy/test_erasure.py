"""A family's or a person's request: their data handed over (JSON, PDF and photos), or
erased through the one path, after which nothing of them is found by a search, on the
portal, in the matcher's tables and indexes, on disk, in exchanges with partners, or in
what a restored backup brings back."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import timedelta

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from homeward.accounts.models import AuditEvent, Role
from homeward.cases.services import IntakeData, intake_admit
from homeward.privacy.exports import report_export
from homeward.privacy.models import Erasure
from homeward.privacy.services import JOURNAL, erasures_replay, person_erase, report_erase
from homeward.tracing import found_faces, matcher
from homeward.tracing.models import (
    Candidate,
    DnaForget,
    FaceVector,
    FoundDna,
    MissingReport,
    Notice,
    Relative,
)
from homeward.tracing.services import found_dna_set, notices_sync, relative_set_dna
from homeward.tracing.tasks import search_for_person_job
from tests.cases.conftest import admit
from tests.conftest import make_user
from tests.matching.dna_on_disk import genotypes, stored
from tests.tracing.conftest import PROFILE, face_file, report_with_secrets, staff_report

ID_NUMBER = "110105197001010011"


@pytest.fixture
def head(suzhou):
    return make_user("sz.head", Role.STATION_HEAD, station=suzhou)


@pytest.fixture
def matched(suzhou, desk, tracer, settings, tmp_path, django_capture_on_commit_callbacks):
    """A family's report of 王小明 with his photo and his mother's DNA, and a man in the
    Suzhou station whose face, name and DNA match it: a candidate on the tracing desk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(
            tracer,
            name="王小明",
            birth_date=None,
            contact_phone="13912345678",
            photos=[(face_file("obama.jpg"), 2009)],
            relatives=[("mother", "王芳")],
        )
        relative_set_dna(relative=report.relatives.get(), status="entered", profile=PROFILE,
                         by=tracer, consent="search")  # fmt: skip
        stay = intake_admit(
            station=suzhou,
            by=desk,
            photo=face_file("obama2.jpg"),
            data=IntakeData(brought_by="police", name="王小明", name_source="said", sex="M",
                            age_estimate_min=45, age_estimate_max=60, id_number=ID_NUMBER),
        )  # fmt: skip
        found_dna_set(person=stay.person, status="entered", profile=PROFILE, by=tracer)
    assert Candidate.objects.filter(report=report, person=stay.person).exists()
    return report, stay


def _zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def test_a_family_gets_every_field_of_its_report_and_its_photos_but_no_one_elses_data(
    matched, tracer
):
    report, _stay = matched
    files = _zip(report_export(report, by=tracer))
    data = json.loads(files["data.json"])
    assert data["name"] == "王小明" and data["contact_phone"] == "13912345678"
    assert data["relatives"][0]["name"] == "王芳" and data["relatives"][0]["consent"] == "search"
    assert "D8S1179" not in files["data.json"].decode()  # the mother asks for her own DNA
    assert "candidates" not in data  # they are about other people
    (photo,) = data["photos"]
    assert files[photo["file"]][:3] == b"\xff\xd8\xff"  # the JPEG itself
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(files["summary.pdf"])).pages
    )
    assert "王小明" in text and "13912345678" in text
    assert AuditEvent.objects.filter(
        action="export", object_type="tracing.missingreport", object_id=str(report.pk)
    ).exists()


def test_an_erasure_needs_a_reason_and_changes_nothing_without_one(matched, head):
    report, _stay = matched
    with pytest.raises(ValidationError) as err:
        report_erase(report=report, by=head, reason="  ")
    assert "reason" in err.value.message_dict
    report.refresh_from_db()
    assert report.name == "王小明" and report.photos.exists() and not Erasure.objects.exists()


def test_an_erased_report_is_found_by_no_search_no_index_and_no_file(
    matched, head, settings, django_capture_on_commit_callbacks
):
    report, stay = matched
    table, _ = matcher.report_table()
    row = table.row_of[matcher.missing_id(report.pk)]
    assert table.dna.seg_of[row] >= 0  # the mother's DNA is in the index
    assert genotypes(PROFILE) in stored(settings.DNA_INDEX_DIR)
    photo = report.photos.get().image.name
    AuditEvent.objects.create(
        action="view", object_type="tracing.missingreport", object_id=str(report.pk),
        object_label=str(report),
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        receipt = report_erase(report=report, by=head, reason="家属王芳来电申请删除")

    report.refresh_from_db()
    assert report.status == MissingReport.Status.CLOSED
    assert (report.name, report.contact_phone, report.contact_name) == ("", "", "")
    assert not report.relatives.exists() and not report.photos.exists()
    assert not default_storage.exists(photo)
    assert not FaceVector.objects.filter(kind=FaceVector.Kind.MISSING).exists()
    # The mother's DNA is nowhere in the DNA indexes kept on disk (which the table was
    # built over, and which other processes may be reading)...
    assert genotypes(PROFILE) not in stored(settings.DNA_INDEX_DIR)
    # ...the matcher's table (faces, DNA, facts) no longer holds the report...
    table, reports = matcher.report_table()
    assert matcher.missing_id(report.pk) not in table.live_ids() and report not in reports
    # ...and searching for the man again finds nothing of it.
    Candidate.objects.filter(person=stay.person).delete()
    with django_capture_on_commit_callbacks(execute=True):
        search_for_person_job(stay.person_id)
    assert not Candidate.objects.filter(report=report).exists()
    # The audit trail keeps its events (append-only, for its legal period), the erasure too.
    events = AuditEvent.objects.filter(
        object_id=str(report.pk), object_type="tracing.missingreport"
    )
    assert events.filter(action="view").exists() and events.filter(action="delete").exists()
    # The ledger and the journal beside the backups say what went, not what it was.
    erasure = Erasure.objects.get(rule="request", subject="report")
    assert erasure.erased["photos"] == 1 and "contact_phone" in erasure.erased["fields"]
    assert "王小明" not in json.dumps(erasure.erased, ensure_ascii=False)
    journal = (settings.BACKUP_DIR / JOURNAL).read_text().splitlines()
    assert json.loads(journal[-1])["public_id"] == str(report.public_id)
    assert receipt.backups_expire_by > timezone.now() + timedelta(days=365)
    # What the family downloads now holds nothing of him either.
    assert "王小明" not in _zip(report_export(report, by=head))["data.json"].decode()


def test_an_erased_persons_face_dna_and_notice_are_gone_from_the_index_and_the_portal(
    matched, suzhou, desk, tracer, head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stay = intake_admit(
            station=suzhou,
            by=desk,
            photo=face_file("obama2.jpg"),
            data=IntakeData(brought_by="police", name="老周", name_source="said", sex="M",
                            age_estimate_min=45, age_estimate_max=60),
        )  # fmt: skip
        found_dna_set(person=stay.person, status="entered", profile=PROFILE, by=tracer)
    person = stay.person
    notices_sync(now=timezone.now() + timedelta(days=2))
    notice = Notice.objects.get(stay=stay)
    assert notice.published_at and notice.photo and notice.name_said == "老周"
    Notice.objects.filter(pk=notice.pk).update(published_at=timezone.now())  # shown now
    vector = np.frombuffer(bytes(FaceVector.objects.get(person=person).vector), "<f4")
    assert person.pk in [int(h.record_id) for h in found_faces.nearest_found(vector, limit=2)]
    portal = Client()
    assert portal.get(f"/p/notices/{notice.public_id}/photo").status_code == 200
    assert "老周" in portal.get("/p/").content.decode()
    photos = [p.image.name for p in person.photos.all()]

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=person, by=head, reason="本人申请")

    person.refresh_from_db()
    assert not person.photos.exists()
    assert not any(default_storage.exists(name) for name in photos)
    assert not FaceVector.objects.filter(person=person).exists()
    assert person.pk not in [int(h.record_id) for h in found_faces.nearest_found(vector, limit=5)]
    assert FoundDna.objects.get(person=person).profile is None
    assert not Candidate.objects.filter(person=person, status="open").exists()
    assert portal.get(f"/p/notices/{notice.public_id}/photo").status_code == 404
    assert "老周" not in portal.get("/p/").content.decode()
    assert person.stays.exists()  # the case file is kept by the archive rules

    # A person who can say who they are: their ID number goes too.
    _report, identified = matched
    person_erase(person=identified.person, by=head, reason="本人申请")
    identified.person.refresh_from_db()
    assert identified.person.id_number == ""


def test_erasing_a_person_reaches_the_records_merged_into_them(suzhou, desk, head):
    from homeward.cases.services import person_merge

    kept = admit(suzhou, desk, name="张三").person
    merged_stay = admit(suzhou, desk, name="张三", id_number=ID_NUMBER,
                        age_estimate_min=50, age_estimate_max=60)  # fmt: skip
    person_merge(kept=kept, merged=merged_stay.person, reason="同一人", by=head)
    person_erase(person=kept, by=head, reason="本人申请")
    merged_stay.person.refresh_from_db()
    assert merged_stay.person.id_number == "" and merged_stay.person.id_number_digest == ""
    assert Erasure.objects.get(subject="person").erased["records"] == 2


def test_an_erased_report_tells_exchange_partners_to_delete_their_copy(matched, head, tracer):
    from homeward.tracing.pfif.export import closed_reports, public_reports

    report, _stay = matched
    assert report in public_reports()
    report_erase(report=report, by=head, reason="家属申请")
    assert report not in public_reports() and report in closed_reports()


def test_a_withdrawn_consent_stays_withdrawn_after_a_restore(
    matched, tracer, settings, django_capture_on_commit_callbacks
):
    report, _stay = matched
    relative = report.relatives.get()
    with django_capture_on_commit_callbacks(execute=True):
        relative_set_dna(relative=relative, status="sampled", by=tracer, consent="")
    relative.refresh_from_db()
    assert relative.profile is None and not relative.searchable
    # A backup made before the withdrawal is restored: the profile and consent come back...
    Relative.objects.filter(pk=relative.pk).update(
        profile=PROFILE, consent="search", dna_status="entered"
    )
    assert erasures_replay() == 1  # ...and the journal takes them away again
    relative.refresh_from_db()
    assert (relative.profile, relative.consent) == (None, "")
    assert erasures_replay() == 0


FATHER = {"D8S1179": ["14", "15"], "TH01": ["7", "9.3"]}  # gave the man his 14 and a 9.3


def test_a_relative_who_withdraws_leaves_the_dna_indexes_and_the_others_still_search(
    matched, tracer, settings, django_capture_on_commit_callbacks
):
    """The father withdraws his consent: his profile leaves the database and every DNA index
    on disk at once, while the mother's, still consented, is searched as before."""
    report, stay = matched
    with django_capture_on_commit_callbacks(execute=True):
        father = Relative.objects.create(report=report, relation="father", name="王强")
        relative_set_dna(relative=father, status="entered", profile=FATHER, by=tracer,
                         consent="search")  # fmt: skip
    table, _ = matcher.report_table()
    assert {genotypes(PROFILE), genotypes(FATHER)} <= stored(settings.DNA_INDEX_DIR)
    person = matcher.found_records([stay.person])[0][1]

    def dna_evidence(table) -> float:
        row = table.row_of[matcher.missing_id(report.pk)]
        return float(table.dna.scores_at(person, np.array([row]))[0])

    assert dna_evidence(table) > 0  # the man's DNA fits the parents

    with django_capture_on_commit_callbacks(execute=True):
        relative_set_dna(relative=father, status="sampled", by=tracer, consent="")
    on_disk = stored(settings.DNA_INDEX_DIR)
    assert genotypes(FATHER) not in on_disk and genotypes(PROFILE) in on_disk
    table, _ = matcher.report_table()
    assert dna_evidence(table) > 0  # the mother alone still speaks for him


@pytest.mark.django_db(transaction=True)
def test_a_profile_replaced_outside_a_transaction_is_blanked_after_the_row_is_written(
    suzhou, tracer, settings, monkeypatch
):
    """A relative saved on its own (autocommit, as a script or a restore's replay does):
    the DNA indexes are blanked once the new row is written, not before, so a search that
    catches up right after the blanking reads the new profile, not the old one."""
    report = report_with_secrets(tracer)
    matcher.report_table()
    assert genotypes(PROFILE) in stored(settings.DNA_INDEX_DIR)
    blank = matcher.dna_forget

    def blank_then_a_search(report_ids):
        count = blank(report_ids)
        matcher.report_table()  # a search in another process catches up right after
        return count

    monkeypatch.setattr(matcher, "dna_forget", blank_then_a_search)
    relative = report.relatives.get()
    relative.profile = FATHER  # the lab corrects the sample: another person's
    relative.save()

    on_disk = stored(settings.DNA_INDEX_DIR)
    assert genotypes(PROFILE) not in on_disk and genotypes(FATHER) in on_disk
    assert not DnaForget.objects.filter(done_at__isnull=True).exists()


def test_a_blanking_the_disk_refused_is_done_by_the_sweep_and_fails_visibly_meanwhile(
    matched, head, settings, django_capture_on_commit_callbacks, tmp_path, caplog
):
    from homeward.tracing.tasks import dna_forget_job

    report, _stay = matched
    matcher.report_table()
    kept = settings.DNA_INDEX_DIR
    (tmp_path / "full").write_text("")
    settings.DNA_INDEX_DIR = tmp_path / "full" / "dna"  # a path the erasure cannot write
    with django_capture_on_commit_callbacks(execute=True):
        report_erase(report=report, by=head, reason="家属来电申请删除")
    assert not report.relatives.exists()  # the erasure itself committed
    assert "could not be blanked" in caplog.text
    pending = DnaForget.objects.filter(done_at__isnull=True)
    assert list(pending.values_list("report_id", flat=True)) == [report.pk]
    DnaForget.objects.update(at=timezone.now() - timedelta(minutes=2))
    with pytest.raises(OSError):
        dna_forget_job.call_local()  # still refused: the job fails (and is retried)
    assert pending.exists()

    settings.DNA_INDEX_DIR = kept
    assert genotypes(PROFILE) in stored(kept)
    assert dna_forget_job.call_local() >= 1
    assert genotypes(PROFILE) not in stored(kept) and not pending.exists()


def test_a_blanking_tried_again_leaves_the_family_as_it_is_now_and_runs_once_a_transaction(
    matched, tracer, head, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """The father withdraws while a folder cannot be blanked. Each try of the sweep blanks
    what was read before the first try only: the mother's DNA, read again since, still
    counts. And an erasure of several relatives in one transaction is one pass."""
    from homeward.tracing.tasks import dna_forget_job

    report, stay = matched
    with django_capture_on_commit_callbacks(execute=True):
        father = Relative.objects.create(report=report, relation="father", name="王强")
        relative_set_dna(relative=father, status="entered", profile=FATHER, by=tracer,
                         consent="search")  # fmt: skip
    matcher.report_table()
    person = matcher.found_records([stay.person])[0][1]

    def dna_evidence() -> float:
        table, _ = matcher.report_table()
        row = table.row_of[matcher.missing_id(report.pk)]
        return float(table.dna.scores_at(person, np.array([row]))[0])

    broken = settings.DNA_INDEX_DIR / ".added-broken"
    broken.mkdir()
    listing = {"ids": {"0": matcher.missing_id(report.pk)}, "read_at": {"0": 0}}
    (broken / "ids.json").write_text(json.dumps(listing))
    (broken / "meta.json").write_text("{not json")
    with django_capture_on_commit_callbacks(execute=True):
        relative_set_dna(relative=father, status="sampled", by=tracer, consent="")
    assert genotypes(FATHER) not in stored(settings.DNA_INDEX_DIR, skip=[broken])
    assert dna_evidence() > 0  # the mother, read again since
    DnaForget.objects.update(at=timezone.now() - timedelta(minutes=2))
    for _ in range(2):
        with pytest.raises(OSError, match=".added-broken"):
            dna_forget_job.call_local()
        # The mother's family as read after the first try is still on disk, as it is...
        assert genotypes(PROFILE) in stored(settings.DNA_INDEX_DIR, skip=[broken])
        assert dna_evidence() > 0  # ...and in the table
    shutil.rmtree(broken)
    dna_forget_job.call_local()
    assert dna_evidence() > 0
    assert genotypes(PROFILE) in stored(settings.DNA_INDEX_DIR)
    assert not DnaForget.objects.filter(done_at__isnull=True).exists()

    passes = []
    blank = matcher.dna_forget
    monkeypatch.setattr(matcher, "dna_forget", lambda f: passes.append(f) or blank(f))
    with django_capture_on_commit_callbacks(execute=True):
        father.profile, father.consent = FATHER, "search"
        father.save()  # the father gives his consent and sample again
    with django_capture_on_commit_callbacks(execute=True):
        report_erase(report=report, by=head, reason="家属来电申请删除")  # both relatives
    assert len(passes) == 1 and list(passes[0]) == [report.pk]
    assert not {genotypes(PROFILE), genotypes(FATHER)} & stored(settings.DNA_INDEX_DIR)


def test_the_ledger_shows_a_station_its_own_erasures_and_no_familys_phone(
    matched, head, hangzhou_head, client
):
    from tests.tracing.test_family import family, filed

    mother = family("13912349876")
    pending = filed(mother)
    report_erase(report=pending, by=mother, reason="The family asked on the portal.")
    report, _stay = matched
    report_erase(report=report, by=head, reason="家属王芳来电申请")
    client.force_login(head)
    page = client.get("/privacy/").content.decode()
    assert "家属王芳来电申请" in page and "13912349876" not in page
    client.force_login(hangzhou_head)
    page = client.get("/privacy/").content.decode()
    assert "家属王芳来电申请" not in page and "13912349876" not in page


def test_a_family_cannot_erase_a_report_whose_reunion_is_under_way(
    suzhou, desk, tracer, client, settings, tmp_path
):
    from homeward.tracing.models import Reunion
    from tests.tracing.test_family import family, filed

    settings.BACKUP_DIR = tmp_path / "backups"
    mother = family("13912340000")
    report = filed(mother)  # 李明
    stay = admit(suzhou, desk, name="李明")
    candidate = Candidate.objects.create(
        person=stay.person, report=report, station=suzhou, posterior=0.9, log10_total=3
    )
    Reunion.objects.create(candidate=candidate, stay=stay, channel="face", confirmed_by=tracer)
    client.force_login(mother)
    page = client.post(f"/p/me/{report.public_id}/erase/", {"confirm": "on"})
    assert page.status_code == 200
    assert "reunion" in page.content.decode().lower() or "团聚" in page.content.decode()
    report.refresh_from_db()
    assert report.name == "李明" and report.filed_by_id == mother.pk
    assert not Erasure.objects.exists()
