"""Photos held between the public form's duplicate offer and the resident's answer.

A browser cannot refill a file input, so when the form is shown again with the
offer ("add to your earlier case, or file a new one?") the photos already chosen
would be lost and an older resident would have to find them again. They are
checked and re-encoded (complaints.photos) and kept on the server under a random
token for a day; the form carries only the token. The hourly clean-up
(core.tasks.purge_expired_files) deletes what was never used.
"""

import contextlib
import os
import re
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from complaints.services.intake import _cleaned_photos

HELD_DIR = "complaints/held"
HOLD_FOR = timedelta(days=1)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def hold_photos(photos) -> str:
    """Check and keep the uploads; returns the token naming them ("" for none).
    A photo that fails the check raises ValidationError under `photos`, as filing does."""
    cleaned = _cleaned_photos(photos)
    if not cleaned:
        return ""
    token = secrets.token_urlsafe(24)
    for index, (content, _width, _height) in enumerate(cleaned):
        default_storage.save(f"{HELD_DIR}/{token}/{index}.jpg", content)
    return token


def held_photos(token: str) -> list[ContentFile]:
    """The photos kept under `token` (none for an unknown, expired or malformed token)."""
    if not TOKEN_RE.match(token or ""):
        return []
    folder = f"{HELD_DIR}/{token}"
    try:
        names = sorted(default_storage.listdir(folder)[1])
    except FileNotFoundError:
        return []
    photos = []
    for name in names:
        with default_storage.open(f"{folder}/{name}", "rb") as handle:
            photos.append(ContentFile(handle.read(), name=name))
    return photos


def release_photos(token: str) -> None:
    """Delete the photos kept under `token` once they are saved with a case."""
    if not TOKEN_RE.match(token or ""):
        return
    folder = f"{HELD_DIR}/{token}"
    try:
        names = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")
    _remove_folder(folder)


def purge_held_photos(*, now) -> int:
    """Delete held photos older than a day (registered with core's clean-up)."""
    try:
        tokens = default_storage.listdir(HELD_DIR)[0]
    except FileNotFoundError:
        return 0
    removed = 0
    for token in tokens:
        folder = f"{HELD_DIR}/{token}"
        names = default_storage.listdir(folder)[1]
        stale = [n for n in names if default_storage.get_modified_time(f"{folder}/{n}") < now - HOLD_FOR]
        if len(stale) == len(names):
            for name in names:
                default_storage.delete(f"{folder}/{name}")
            _remove_folder(folder)
            removed += 1
    return removed


def _remove_folder(folder: str) -> None:
    """The emptied folder too, on the file system (object storages have none)."""
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(default_storage.path(folder))
