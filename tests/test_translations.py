"""The English catalogue stays complete: every Chinese string in the code and
templates has an English translation, compiled into the .mo Django reads."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def msgfmt(*args):
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: install gettext (apt-get install gettext)")
    return subprocess.run(["msgfmt", *args], capture_output=True, text=True, check=False)


def msgids(po_path: Path) -> set[str]:
    ids, current, in_msgid = set(), [], False
    for line in po_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, in_msgid = [line[6:]], True
        elif in_msgid and line.startswith('"'):
            current.append(line)
        elif in_msgid:
            in_msgid = False
            text = "".join(part.strip()[1:-1] for part in current)
            if text:
                ids.add(text)
    return ids


def test_every_message_is_translated_and_none_is_fuzzy():
    result = msgfmt("--check", "--statistics", "-o", "/dev/null", str(PO))
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_compiled_catalogue_matches_the_source(tmp_path):
    compiled = tmp_path / "django.mo"
    result = msgfmt("-o", str(compiled), str(PO))
    assert result.returncode == 0, result.stderr
    assert compiled.read_bytes() == MO.read_bytes(), "run `make messages` to recompile the catalogue"


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """makemessages on a copy of the project finds no string the catalogue lacks."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "media", "var", "__pycache__", "tests", "*.mo", "*.sqlite3"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--ignore=.venv", "--ignore=bench"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    missing = msgids(copy / "locale" / "en" / "LC_MESSAGES" / "django.po") - msgids(PO)
    assert not missing, f"untranslated strings (run `make messages` and translate): {sorted(missing)[:10]}"
