"""An evidence file is judged by its content: a local act may be PDF, DOCX, ODT, JPG or PNG, and
a program renamed to .pdf is refused with a Russian message. No database here."""

import pytest

from rollout.evidence import EvidenceFileError, evidence_file_check, format_size, sniff_kind
from tests.rollout.files import EXE, JPG, PDF, PNG, docx, odt, plain_zip, upload


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("Положение.pdf", PDF, "pdf"),
        ("Положение.docx", docx(), "docx"),
        ("Положение.odt", odt(), "odt"),
        ("скан.jpg", JPG, "jpg"),
        ("скан.JPEG", JPG, "jpg"),
        ("скан.png", PNG, "png"),
    ],
)
def test_each_allowed_type_is_recognised_by_its_content(name, content, kind):
    checked = evidence_file_check(upload(name, content))
    assert checked.kind == kind
    assert checked.size == len(content)
    assert len(checked.sha256) == 64
    assert checked.name == name


def test_a_renamed_program_is_refused_in_russian():
    with pytest.raises(EvidenceFileError) as exc:
        evidence_file_check(upload("Положение.pdf", EXE))
    message = str(exc.value)
    assert "«Положение.pdf» не принят" in message
    assert "программа" in message and "переименование" in message


def test_a_zip_that_is_not_a_document_is_refused():
    with pytest.raises(EvidenceFileError, match="не похоже"):
        evidence_file_check(upload("акт.docx", plain_zip()))


def test_a_pdf_named_as_an_image_is_refused_with_the_real_type():
    with pytest.raises(EvidenceFileError, match="по содержимому это PDF"):
        evidence_file_check(upload("скан.png", PDF))


def test_an_extension_outside_the_list_is_refused_before_reading():
    with pytest.raises(EvidenceFileError, match="допустимы только PDF, DOCX, ODT, JPG или PNG"):
        evidence_file_check(upload("setup.exe", EXE))


def test_a_file_above_the_limit_is_refused_with_both_sizes(settings):
    settings.ROLLOUT_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceFileError, match=r"слишком большой: 2 КБ при допустимых 1 КБ"):
        evidence_file_check(upload("акт.pdf", PDF + b"0" * 2000))


def test_an_empty_file_is_refused():
    with pytest.raises(EvidenceFileError, match="пустой"):
        evidence_file_check(upload("акт.pdf", b""))


def test_sniffing_leaves_the_file_at_its_start():
    file = upload("акт.docx", docx())
    assert sniff_kind(file) == "docx"
    assert file.read(2) == b"PK"


@pytest.mark.parametrize(
    ("size", "text"), [(10 * 1024 * 1024, "10 МБ"), (1536 * 1024, "1,5 МБ"), (2048, "2 КБ")]
)
def test_sizes_are_written_the_russian_way(size, text):
    assert format_size(size) == text
