"""Residents' photos: checked, turned upright, shrunk and re-encoded as JPEG.

Re-encoding drops every piece of metadata (EXIF with the phone's GPS position,
XMP, comments); the extension is never trusted.
"""

import io
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000


def clean_photo(upload) -> tuple[ContentFile, int, int]:
    name = PurePath(upload.name or "photo").name[-100:]
    if upload.size > settings.COMPLAINT_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片“%(name)s”超过 %(mb)s MB 的上限。")
            % {"name": name, "mb": settings.COMPLAINT_PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("“%(name)s”不是 JPG、PNG 或 WebP 照片。") % {"name": name}, code="photo_format")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("照片“%(name)s”尺寸过大。") % {"name": name}, code="photo_pixels")
            probe.load()
            image = ImageOps.exif_transpose(probe)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("无法识别照片“%(name)s”，文件可能已损坏。") % {"name": name}, code="photo_bad") from exc
    return ContentFile(out.getvalue(), name="photo.jpg"), image.width, image.height
