"""Checking uploaded files before they are kept.

The extension alone is not trusted: images must open in Pillow (and are
re-encoded, which drops EXIF data such as the GPS position of the phone that
took them), documents must start with their format's signature.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".png": ("PNG", "image/png"),
    ".webp": ("WEBP", "image/webp"),
}
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_IMAGE_PIXELS = 40_000_000


@dataclass
class CheckedUpload:
    kind: str  # "photo" or "document"
    original_name: str
    content_type: str
    size: int
    storage_name: str
    content: File


def _clean_name(name: str) -> str:
    base = PurePath(name or "file").name.replace("\x00", "")
    return base[-200:] or "file"


def inspect_upload(upload, *, max_bytes: int | None = None) -> CheckedUpload:
    max_bytes = max_bytes or settings.ATTACHMENT_MAX_BYTES
    if upload is None:
        raise ValidationError({"file": _("请选择要上传的文件。")})
    name = _clean_name(upload.name)
    suffix = PurePath(name).suffix.lower()
    if upload.size > max_bytes:
        raise ValidationError(
            {"file": _("文件“%(name)s”超过 %(mb)s MB 的上限。") % {"name": name, "mb": max_bytes // (1024 * 1024)}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("文件“%(name)s”是空的。") % {"name": name}})
    if suffix in IMAGE_TYPES:
        return _inspect_image(upload, name, suffix)
    if suffix in DOCUMENT_TYPES:
        return _inspect_document(upload, name, suffix)
    raise ValidationError(
        {
            "file": _("不支持“%(name)s”的文件类型。可上传照片（JPG、PNG、WebP）或文件（PDF、Word、Excel）。")
            % {"name": name}
        }
    )


def _inspect_image(upload, name, suffix):
    pil_format, content_type = IMAGE_TYPES[suffix]
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError({"file": _("图片“%(name)s”尺寸过大。") % {"name": name}})
            image.load()
            if image.format != pil_format and not (pil_format == "JPEG" and image.format == "MPO"):
                raise ValidationError({"file": _("文件“%(name)s”的内容与扩展名不符。") % {"name": name}})
            clean = image.convert("RGB") if pil_format == "JPEG" else image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError({"file": _("无法识别图片“%(name)s”，文件可能已损坏。") % {"name": name}}) from exc
    out = io.BytesIO()
    clean.save(out, format=pil_format, **({"quality": 88} if pil_format in ("JPEG", "WEBP") else {}))
    data = out.getvalue()
    return CheckedUpload("photo", name, content_type, len(data), f"upload{suffix}", ContentFile(data))


def _inspect_document(upload, name, suffix):
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    ok = False
    if suffix == ".pdf":
        ok = head.startswith(b"%PDF-")
    elif suffix in (".docx", ".xlsx"):
        ok = head.startswith(b"PK\x03\x04") and _is_office_zip(upload)
        upload.seek(0)
    elif suffix in (".doc", ".xls"):
        ok = head == OLE_SIGNATURE
    if not ok:
        raise ValidationError({"file": _("文件“%(name)s”的内容与扩展名不符，或文件已损坏。") % {"name": name}})
    return CheckedUpload("document", name, DOCUMENT_TYPES[suffix], upload.size, f"upload{suffix}", File(upload))


def _is_office_zip(upload) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
