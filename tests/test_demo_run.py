"""`make run` (scripts/run-demo.sh, Procfile.dev): the first start of the demo ends
with the logins, not hundreds of SMS lines and warnings, and Ctrl-C ends quietly.
The whole run is tried by hand (it migrates and seeds for minutes); these pin the
configuration it rests on."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

from core.sms import FileBackend, get_backend

ROOT = Path(__file__).resolve().parent.parent


def _procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile.dev").read_text(encoding="utf-8").splitlines()
    return {
        name: shlex.split(command)
        for name, _, command in (line.partition(": ") for line in lines if line and not line.startswith("#"))
    }


def test_demo_sms_are_written_to_a_file_not_the_console(settings, tmp_path, capsys):
    settings.SMS_BACKEND = "core.sms.FileBackend"
    settings.SMS_LOG_FILE = tmp_path / "var" / "sms.log"
    backend = get_backend()
    assert isinstance(backend, FileBackend)
    assert backend.send_messages([("13812345678", "您的投诉已收到，工单号TS-1。"), ("13900001111", "第二条")]) == 2
    lines = settings.SMS_LOG_FILE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "138****5678 您的投诉已收到，工单号TS-1。" in lines[0] and "13812345678" not in lines[0]
    assert capsys.readouterr() == ("", "")


def test_the_run_script_uses_the_file_backend_and_prints_the_logins_last():
    script = (ROOT / "scripts" / "run-demo.sh").read_text(encoding="utf-8")
    assert "SMS_BACKEND=${SMS_BACKEND:-core.sms.FileBackend}" in script
    assert "scripts/run-demo.sh" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_demo_broker_names_a_host_so_kombu_does_not_warn():
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from kombu import Connection;"
        "Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)._info();"
        "print(settings.CELERY_BROKER_URL)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "oldestate.settings", "DATABASE_URL": "sqlite:////tmp/unused.sqlite3"},
    )
    assert result.stdout.strip() == "filesystem://localhost/", result.stderr[-2000:]
    assert "No hostname" not in result.stderr


def test_the_demo_worker_does_not_fork_nor_warn_about_root():
    worker = _procfile()["worker"]
    assert "--pool=threads" in worker  # honcho signals the whole group: forked children die "with signal 15"
    warning_filter = worker[worker.index("-W") + 1]
    code = (
        "import os; os.getuid = os.geteuid = lambda: 0;"
        "from celery.platforms import check_privileges; check_privileges(['json']); print('checked')"
    )
    result = subprocess.run(
        [sys.executable, "-W", warning_filter, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "checked", result.stderr
    assert "superuser" not in result.stderr and "Invalid -W option" not in result.stderr
