"""Checking an uploaded evidence file by its content, not its name.

A local act may be a PDF, a Word (DOCX) or OpenDocument (ODT) text, or a photo or scan (JPG,
PNG). The name's extension must be one of those, and the first bytes must say the same thing: a
program renamed to ``act.pdf`` is refused. DOCX and ODT are zip archives; only their directory and
the tiny ``mimetype`` entry are read, never the compressed content, so a zip bomb costs nothing.
No database here: the form and the service both call ``evidence_file_check``.
"""

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

KIND_LABELS = {"pdf": "PDF", "docx": "DOCX", "odt": "ODT", "jpg": "JPG", "png": "PNG"}
KIND_EXTENSIONS = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "odt": (".odt",),
    "jpg": (".jpg", ".jpeg"),
    "png": (".png",),
}
KIND_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpg": "image/jpeg",
    "png": "image/png",
}
ACCEPT_ATTRIBUTE = ",".join(ext for exts in KIND_EXTENSIONS.values() for ext in exts)
ALLOWED_TEXT = "PDF, DOCX, ODT, JPG или PNG"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


class EvidenceFileError(ValueError):
    """A file that may not be attached; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "ROLLOUT_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def format_size(size: int) -> str:
    """10485760 → "10 МБ", 1572864 → "1,5 МБ", 2048 → "2 КБ"."""
    for unit, factor in (("МБ", 1024 * 1024), ("КБ", 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".rstrip("0").rstrip(".")
            return f"{value.replace('.', ',')} {unit}"
    return f"{size} Б"


def _zip_kind(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            first = infos[0] if infos else None
            if (
                first is not None
                and first.filename == "mimetype"
                and first.file_size < 100
                and archive.read(first).strip() == ODT_MIMETYPE
            ):
                return "odt"
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError):
        return None
    return None


def sniff_kind(fileobj) -> str | None:
    """What the content is: "pdf", "docx", "odt", "jpg", "png", or None."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpg"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(fileobj)
    fileobj.seek(0)
    return kind


def _looks_like_program(head: bytes) -> bool:
    return head.startswith((b"MZ", b"\x7fELF", b"#!")) or head[:4] in (
        b"\xcf\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
    )


def evidence_file_check(uploaded, *, limit: int | None = None) -> CheckedFile:
    """Accept the file or raise EvidenceFileError with a Russian message saying why not."""
    limit = max_bytes() if limit is None else limit
    name = PurePath(uploaded.name or "").name or "файл"
    size = uploaded.size
    if not size:
        raise EvidenceFileError(f"Файл «{name}» пустой.")
    if size > limit:
        raise EvidenceFileError(
            f"Файл «{name}» слишком большой: {format_size(size)} при допустимых "
            f"{format_size(limit)}."
        )
    extension = PurePath(name).suffix.lower()
    allowed_extensions = {ext for exts in KIND_EXTENSIONS.values() for ext in exts}
    if extension not in allowed_extensions:
        raise EvidenceFileError(f"Файл «{name}» не принят: допустимы только {ALLOWED_TEXT}.")
    kind = sniff_kind(uploaded)
    if kind is None:
        uploaded.seek(0)
        head = uploaded.read(8)
        uploaded.seek(0)
        what = (
            "это программа (исполняемый файл), а не документ"
            if _looks_like_program(head)
            else "его содержимое не похоже ни на один из этих форматов"
        )
        raise EvidenceFileError(
            f"Файл «{name}» не принят: {what}. Допустимы {ALLOWED_TEXT}; тип проверяется "
            "по содержимому, переименование файла его не меняет."
        )
    if extension not in KIND_EXTENSIONS[kind]:
        raise EvidenceFileError(
            f"Файл «{name}» не принят: по содержимому это {KIND_LABELS[kind]}, а расширение "
            f"«{extension}». Сохраните файл с правильным расширением."
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else [uploaded.read()]:
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedFile(name=name, kind=kind, size=size, sha256=digest.hexdigest())
