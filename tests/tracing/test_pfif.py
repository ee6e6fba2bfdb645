"""PFIF: what goes out keeps the PFIF 1.4 rules and no secret; what comes in (1.1 to 1.4)
keeps its author; an expiry at the source closes our copy (`tracing/pfif/`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.tracing.models import Candidate, MissingReport, Notice, Reunion
from homeward.tracing.pfif import (
    check_pfif,
    closed_reports,
    export_pfif,
    import_pfif,
    parse_pfif,
    public_reports,
    withdrawn_notices,
)
from homeward.tracing.pfif.export import NOT_XML
from homeward.tracing.selectors import public_notices
from homeward.tracing.services import notices_sync, tip_leave
from tests.cases.conftest import admit
from tests.tracing.conftest import report_with_secrets, staff_report


@pytest.fixture
def site(settings):
    settings.PUBLIC_URL = "https://homeward.test"
    settings.PFIF_DOMAIN = ""
    return "homeward.test"


@pytest.fixture
def report(tracer):
    return report_with_secrets(tracer)


@pytest.fixture
def world(report, suzhou, desk, tracer, second_tracer):
    """The report, a public notice of a man with a tip, and a completed reunion of the two."""
    stay = admit(suzhou, desk, name="", name_source="unknown", health_on_arrival="乙肝")
    stay.admitted_at = timezone.now() - timedelta(days=2)
    stay.save()
    notices_sync()
    tip_leave(notice=Notice.objects.get(), message="像我们村的人", contact="13600000000")
    candidate = Candidate.objects.create(
        person=stay.person,
        report=report,
        station=suzhou,
        status="confirmed",
        posterior=0.99,
        log10_total=6,
    )
    Reunion.objects.create(
        candidate=candidate,
        stay=stay,
        channel="face",
        confirmed_by=tracer,
        completed_by=second_tracer,
        completed_at=timezone.now(),
        claimant_id_number="320508198503121234",
    )
    return report


def export_all(tmp_path) -> bytes:
    path = tmp_path / "out.xml"
    call_command("export_pfif", out=str(path))
    return path.read_bytes()


def other_system(body: str, version: str = "1.4") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n'
        f'<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/{version}">{body}</pfif:pfif>'
    )


def test_the_export_holds_no_contact_health_dna_or_id_number(world, site):
    document = export_pfif(public_reports(), public_notices()).decode()
    for secret in ["13900000001", "李红", "dementia", "糖尿病", "13711112222", "乙肝"]:
        assert secret not in document
    for secret in ["13600000000", "320508198503121234", "D8S1179", "王芳"]:
        assert secret not in document
    parsed = parse_pfif(document)
    assert {p["full_name"] for p in parsed.persons} == {"李明", "?"}
    assert {n["text"] for n in parsed.notes} >= {"像我们村的人"}


def test_every_export_keeps_the_pfif_rules(world, site, tmp_path, tracer):
    closed = staff_report(tracer, name="周强")
    MissingReport.objects.filter(pk=closed.pk).update(
        status="closed", verified_at=timezone.now() - timedelta(days=3)
    )
    document = export_all(tmp_path)
    assert check_pfif(document) == []
    parsed = parse_pfif(document)
    by_id = {p["person_record_id"]: p for p in parsed.persons}
    report_id = f"homeward.test/report.{world.public_id}"
    notice_id = f"homeward.test/notice.{Notice.objects.get().public_id}"
    assert by_id[report_id]["home_state"] == "CN-HA"  # 410102: Henan, ISO 3166-2
    assert (by_id[report_id]["home_city"], by_id[report_id]["home_neighborhood"]) == (
        "郑州市",
        "中原区",
    )
    # The reunion joins the report and the notice, each pointing at the other.
    links = {(n["person_record_id"], n.get("linked_person_record_id")) for n in parsed.notes}
    assert {(report_id, notice_id), (notice_id, report_id)} <= links
    # The closed report goes out as a placeholder: its id and times, nothing about him.
    placeholder = by_id[f"homeward.test/report.{closed.public_id}"]
    assert placeholder["full_name"] == "" and placeholder["expiry_date"]
    assert "周强" not in document.decode()


def test_a_withdrawn_notice_leaves_a_placeholder_and_the_reunion_no_dangling_link(
    world, site, tmp_path
):
    Notice.objects.update(withdrawn_at=timezone.now())
    document = export_all(tmp_path)
    assert check_pfif(document) == []
    parsed = parse_pfif(document)
    notice_id = f"homeward.test/notice.{Notice.objects.get().public_id}"
    (placeholder,) = [p for p in parsed.persons if p["person_record_id"] == notice_id]
    assert set(placeholder) == {
        "person_record_id",
        "entry_date",
        "expiry_date",
        "source_date",
        "full_name",
    }
    (reunion,) = [n for n in parsed.notes if n.get("status") == "believed_alive"]
    assert "linked_person_record_id" not in reunion
    assert reunion["text"].startswith("Reunited with family on")


@pytest.mark.parametrize("address", ["http://127.0.0.1:8000", "http://[::1]/", "http://localhost"])
def test_an_address_that_is_no_domain_name_is_refused_and_the_setting_named(
    world, settings, tmp_path, address
):
    settings.PUBLIC_URL, settings.PFIF_DOMAIN = address, ""
    with pytest.raises(CommandError) as refused:
        export_all(tmp_path)
    assert "PFIF_DOMAIN" in str(refused.value) and "PUBLIC_URL" in str(refused.value)
    settings.PFIF_DOMAIN = "homeward.example.org"
    document = export_all(tmp_path)
    assert check_pfif(document) == []
    ids = [p["person_record_id"] for p in parse_pfif(document).persons]
    assert ids and all(i.startswith("homeward.example.org/") for i in ids)


def test_a_round_trip_through_another_system_keeps_the_record(world, site, hangzhou):
    first = export_pfif(public_reports(), public_notices())
    import_settings = {"PUBLIC_URL": "https://other.test"}
    from django.test import override_settings

    with override_settings(**import_settings):  # the same file read by another instance
        result = import_pfif(first, station=hangzhou, by=None)
        assert (result.version, result.imported, result.skipped, result.notes) == (
            "1.4",
            1,
            1,
            1,
        )
        copy = MissingReport.objects.get(source_ref__startswith="pfif:")
        assert copy.status == "pending" and copy.station == hangzhou
        assert (copy.name, copy.aliases, copy.sex, copy.home_division_id) == (
            "李明",
            ["李小明"],
            "M",
            "410102",
        )
        assert "Reunited with family" in copy.description
        copy.status = "verified"
        copy.save()
        second = export_pfif(MissingReport.objects.filter(pk=copy.pk), [])
        assert check_pfif(second) == []
        again = import_pfif(first, station=hangzhou, by=None)
        assert (again.imported, again.notes) == (0, 0)  # re-import skips by record id
    (original,) = [p for p in parse_pfif(first).persons if p["full_name"] == "李明"]
    (back,) = parse_pfif(second).persons
    same = ["person_record_id", "full_name", "alternate_names", "sex", "date_of_birth"]
    same += ["home_neighborhood", "home_city", "home_state", "home_country"]
    same += ["author_name", "source_name", "source_date"]  # the original author stays
    assert {k: back.get(k) for k in same} == {k: original.get(k) for k in same}
    assert back["author_name"] == "苏州测试站"


def test_a_record_from_person_finder_keeps_its_author_and_source(site, hangzhou):
    document = other_system(
        """<pfif:person>
    <pfif:person_record_id>google.org/person.123</pfif:person_record_id>
    <pfif:entry_date>2026-01-02T03:04:05Z</pfif:entry_date>
    <pfif:author_name>Mary Jacobs</pfif:author_name>
    <pfif:author_phone>+1 555 0100</pfif:author_phone>
    <pfif:source_name>Google Person Finder</pfif:source_name>
    <pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date>
    <pfif:source_url>https://google.org/personfinder/view?id=123</pfif:source_url>
    <pfif:full_name>张三</pfif:full_name>
    <pfif:home_state>CN-SC</pfif:home_state>
    <pfif:home_city>成都市</pfif:home_city>
    <pfif:home_neighborhood>武侯区</pfif:home_neighborhood>
  </pfif:person>"""
    )
    result = import_pfif(document, station=hangzhou, by=None)
    assert (result.imported, result.errors) == (1, [])
    copy = MissingReport.objects.get()
    assert copy.home_division_id == "510107"  # 武侯区 in Chengdu, read from CN-SC
    copy.status = "verified"
    copy.save()
    out = export_pfif(MissingReport.objects.all(), [])
    assert check_pfif(out) == []
    (back,) = parse_pfif(out).persons
    assert back["person_record_id"] == "google.org/person.123"
    assert (back["author_name"], back["source_name"], back["source_date"]) == (
        "Mary Jacobs",
        "Google Person Finder",
        "2026-01-01T00:00:00Z",
    )
    assert back["source_url"] == "https://google.org/personfinder/view?id=123"
    assert "+1 555 0100" not in out.decode()  # contact details never leave
    assert back["home_state"] == "CN-SC"


def test_a_province_written_by_name_is_still_read(site, hangzhou):
    person = """<pfif:person><pfif:person_record_id>old.example/p.1</pfif:person_record_id>
      <pfif:source_date>2020-01-01T00:00:00Z</pfif:source_date><pfif:full_name>李四</pfif:full_name>
      <pfif:home_state>河南省</pfif:home_state><pfif:home_city>郑州市</pfif:home_city>
      <pfif:home_neighborhood>中原区</pfif:home_neighborhood></pfif:person>"""
    assert import_pfif(other_system(person), station=hangzhou, by=None).imported == 1
    assert MissingReport.objects.get().home_division_id == "410102"


def test_older_pfif_versions_are_read(site, hangzhou):
    pfif_11 = other_system(
        """<pfif:person>
    <pfif:person_record_id>old.example/person.1</pfif:person_record_id>
    <pfif:first_name>三</pfif:first_name>
    <pfif:last_name>张</pfif:last_name>
    <pfif:note>
      <pfif:note_record_id>old.example/note.1</pfif:note_record_id>
      <pfif:author_name>Li</pfif:author_name>
      <pfif:source_date>2005-09-03T20:52:25Z</pfif:source_date>
      <pfif:found>false</pfif:found>
      <pfif:text>Seen near the station.</pfif:text>
    </pfif:note>
  </pfif:person>""",
        version="1.1",
    )
    pfif_12 = other_system(
        """<pfif:person><pfif:person_record_id>old.example/person.2</pfif:person_record_id>
    <pfif:first_name>Mary</pfif:first_name><pfif:last_name>Doe</pfif:last_name>
    <pfif:sex>female</pfif:sex><pfif:date_of_birth>1970-05</pfif:date_of_birth>
    <pfif:home_state>SC</pfif:home_state><pfif:home_country>US</pfif:home_country>
    <pfif:other>Last seen at the bus station.</pfif:other></pfif:person>""",
        version="1.2",
    )
    pfif_13 = other_system(
        """<pfif:person><pfif:person_record_id>old.example/person.3</pfif:person_record_id>
    <pfif:source_date>2012-01-01T00:00:00Z</pfif:source_date><pfif:full_name>王五</pfif:full_name>
    <pfif:home_state>SC</pfif:home_state><pfif:home_country>CN</pfif:home_country></pfif:person>
    <pfif:person><pfif:person_record_id>127.0.0.1/person.4</pfif:person_record_id>
    <pfif:full_name>孙八</pfif:full_name></pfif:person>""",
        version="1.3",
    )
    first = import_pfif(pfif_11, station=hangzhou, by=None)
    second = import_pfif(pfif_12, station=hangzhou, by=None)
    assert (first.version, first.imported, first.notes, first.errors) == ("1.1", 1, 1, [])
    assert (second.version, second.imported, second.errors) == ("1.2", 1, [])
    zhang = MissingReport.objects.get(source_ref="pfif:old.example/person.1")
    assert zhang.name == "张三" and "Seen near the station." in zhang.description
    mary = MissingReport.objects.get(source_ref="pfif:old.example/person.2")
    assert (mary.name, mary.sex, mary.birth_precision) == ("Mary Doe", "F", "month")
    assert mary.home_division is None  # SC in the United States is not Sichuan
    assert mary.description == "Last seen at the bus station."
    third = import_pfif(pfif_13, station=hangzhou, by=None)
    assert (third.version, third.imported) == ("1.3", 1)
    assert third.errors == [
        "person 2 (127.0.0.1/person.4): person_record_id: must be a domain name, a slash and an id"
    ]
    wang = MissingReport.objects.get(source_ref="pfif:old.example/person.3")
    assert wang.home_division_id == "510000"  # SC in China is Sichuan


@pytest.mark.parametrize(
    "document",
    [
        "<pfif><person/></pfif>",
        '<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/2.0"><pfif:person/></pfif:pfif>',
        '<feed xmlns="http://www.w3.org/2005/Atom"/>',
    ],
)
def test_a_file_of_no_pfif_version_is_refused_in_one_line(site, hangzhou, tmp_path, document):
    result = import_pfif(document, station=hangzhou, by=None)
    assert result.imported == 0 and len(result.errors) == 1
    assert result.errors[0].startswith("document: not a PFIF document")
    assert "PFIF 1.1 to 1.4" in result.errors[0]
    path = tmp_path / "in.xml"
    path.write_text(document)
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_pfif", str(path), station=hangzhou.pk)


def test_an_xml_bomb_is_refused_unexpanded(site, hangzhou):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE pfif [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>'
        "<pfif:full_name>&b;</pfif:full_name></pfif:person></pfif:pfif>"
    )
    result = import_pfif(bomb, station=hangzhou, by=None)
    assert result.errors == ["document: not PFIF XML (it declares a DTD or entities)"]
    assert check_pfif(bomb)[0].field == "xml"
    outside = other_system("<pfif:person/>").replace(
        "\n<pfif:pfif", '\n<!DOCTYPE pfif SYSTEM "http://attacker.example/pfif.dtd">\n<pfif:pfif'
    )
    assert "DOCTYPE" in outside
    assert import_pfif(outside, station=hangzhou, by=None).errors[0].startswith("document:")
    assert check_pfif(outside)[0].field == "xml"


def placeholder_of(record_id: str, hours_ago: int = 1) -> str:
    expired = (datetime.now(UTC) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return other_system(
        f"""<pfif:person><pfif:person_record_id>{record_id}</pfif:person_record_id>
      <pfif:entry_date>{expired}</pfif:entry_date><pfif:expiry_date>{expired}</pfif:expiry_date>
      <pfif:source_date>{expired}</pfif:source_date><pfif:full_name/></pfif:person>"""
    )


def test_an_expiry_at_the_source_erases_our_copy_and_is_not_passed_on_as_ours(
    site, hangzhou, suzhou, tracer
):
    person = """<pfif:person><pfif:person_record_id>finder.test/p.9</pfif:person_record_id>
      <pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:date_of_birth>1950</pfif:date_of_birth>
      <pfif:full_name>赵六</pfif:full_name><pfif:description>last seen in 2019</pfif:description>
      </pfif:person>"""
    assert import_pfif(other_system(person), station=hangzhou, by=None).imported == 1
    copy = MissingReport.objects.get()
    copy.status, copy.verified_at = "verified", timezone.now()
    copy.save()
    # Another station cannot expire the copy Hangzhou took in.
    refused = import_pfif(placeholder_of("finder.test/p.9"), station=suzhou, by=None)
    assert (refused.expired, refused.skipped) == (0, 1)
    copy.refresh_from_db()
    assert copy.status == "verified"

    result = import_pfif(placeholder_of("finder.test/p.9"), station=hangzhou, by=None)
    assert (result.expired, result.imported, result.errors) == (1, 0, [])
    copy.refresh_from_db()
    assert copy.status == "closed"
    assert (copy.name, copy.description, copy.birth_date) == ("", "", None)
    assert copy.updates.get().kind == "withdrawn"
    assert import_pfif(placeholder_of("finder.test/p.9"), station=hangzhou, by=None).expired == 0
    # Only the record's home repository expires it: our export does not speak for it.
    out = export_pfif([], [], closed=closed_reports(), withdrawn=withdrawn_notices())
    assert parse_pfif(out).persons == []


def test_an_expiry_leaves_a_reunited_copy_as_it_is(site, hangzhou):
    person = """<pfif:person><pfif:person_record_id>finder.test/p.10</pfif:person_record_id>
      <pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:full_name>钱七</pfif:full_name>
      </pfif:person>"""
    import_pfif(other_system(person), station=hangzhou, by=None)
    MissingReport.objects.update(status="reunited")
    assert import_pfif(placeholder_of("finder.test/p.10"), station=hangzhou, by=None).expired == 0
    assert MissingReport.objects.get().name == "钱七"


def good_document(site: str) -> str:
    return other_system(
        f"""<pfif:person><pfif:person_record_id>{site}/report.1</pfif:person_record_id>
    <pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:full_name>李明</pfif:full_name>
    <pfif:home_state>CN-HA</pfif:home_state></pfif:person>
  <pfif:person><pfif:person_record_id>{site}/notice.2</pfif:person_record_id>
    <pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:full_name>?</pfif:full_name>
  </pfif:person>
  <pfif:note><pfif:note_record_id>{site}/reunion.1</pfif:note_record_id>
    <pfif:person_record_id>{site}/report.1</pfif:person_record_id>
    <pfif:linked_person_record_id>{site}/notice.2</pfif:linked_person_record_id>
    <pfif:author_name>站</pfif:author_name><pfif:source_date>2026-01-02T00:00:00Z</pfif:source_date>
    <pfif:text>Reunited.</pfif:text></pfif:note>
  <pfif:note><pfif:note_record_id>{site}/reunion.1.found</pfif:note_record_id>
    <pfif:person_record_id>{site}/notice.2</pfif:person_record_id>
    <pfif:linked_person_record_id>{site}/report.1</pfif:linked_person_record_id>
    <pfif:author_name>站</pfif:author_name><pfif:source_date>2026-01-02T00:00:00Z</pfif:source_date>
    <pfif:text>Reunited.</pfif:text></pfif:note>"""
    )


EXPIRED = "<pfif:expiry_date>2020-01-01T00:00:00Z</pfif:expiry_date>"
PERSON_ID = "/notice.2</pfif:person_record_id>"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("homeward.test/report.1", "127.0.0.1/report.1", "person_record_id"),
        ("CN-HA", "河南省", "home_state"),
        ("<pfif:full_name>李明</pfif:full_name>", "", "full_name"),
        ("2026-01-01T00:00:00Z", "2026-01-01 00:00", "source_date"),
        ("</pfif:text>", "</pfif:text><pfif:phone>1</pfif:phone>", "phone"),
        ("/report.1</pfif:linked", "/report.3</pfif:linked", "linked_person_record_id"),
        ("<pfif:full_name>?", "<pfif:full_name>?</pfif:full_name><pfif:full_name>?", "full_name"),
        (PERSON_ID, "/report.1</pfif:person_record_id>", "person_record_id"),
        ("<pfif:home_state>", EXPIRED + "<pfif:home_state>", "home_state"),
    ],
)
def test_each_rule_catches_the_document_that_breaks_it(old, new, field):
    document = good_document("homeward.test")
    assert check_pfif(document, now=datetime(2026, 6, 1, tzinfo=UTC)) == []
    broken = document.replace(old, new, 1)
    assert broken != document
    problems = check_pfif(broken, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert field in {p.field for p in problems}, problems


# Anything but NUL: every form refuses it (Django's ProhibitNullCharactersValidator), and
# PostgreSQL cannot store it, so no stored text holds one.
text_anything = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=text_anything, tip=text_anything)
def test_whatever_text_was_stored_the_export_is_well_formed_pfif(site, world, name, tip):
    MissingReport.objects.filter(pk=world.pk).update(name=name)
    notice = Notice.objects.get()
    notice.tips.update(message=tip)
    document = export_pfif(public_reports(), public_notices())
    assert check_pfif(document) == []
    parsed = parse_pfif(document)

    def kept(text: str) -> str:
        return re.sub(r"\r\n?", "\n", NOT_XML.sub("", text)).strip()

    assert kept(name) in {p["full_name"] for p in parsed.persons}
    assert kept(tip) in {n["text"] for n in parsed.notes}
