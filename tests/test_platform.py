"""The platform around the ledger: health, security settings, login lockout,
session expiry, languages."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, broker_unreachable):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down" and response.json()["database"] == "ok"


def run_manage(*args, **env):
    # A deployment's environment: nothing the browser tests set for themselves.
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_healthz_is_503_when_the_database_is_down():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.json()['database'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oldestate.settings",
            "DATABASE_URL": "postgres://postgres:postgres@127.0.0.1:1/nothing",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "testserver",
        },
    )
    assert result.stdout.strip().splitlines()[-1] == "503 down", result.stderr[-2000:]


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY="k" * 20 + "production-secret-from-the-environment-0123456789",
        ALLOWED_HOSTS="oldestate.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_login_locks_out_after_repeated_failures(world, client):
    url = reverse("accounts:login")
    for _ in range(5):
        response = client.post(url, {"username": "staff_a", "password": "wrong"})
    response = client.post(url, {"username": "staff_a", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()


def test_login_works_and_wrong_password_is_explained(world, client):
    url = reverse("accounts:login")
    bad = client.post(url, {"username": "staff_a", "password": "wrong"})
    assert bad.status_code == 200 and "请输入一个正确的" in bad.content.decode()
    good = client.post(url, {"username": "staff_a", "password": "correct-horse-battery"})
    assert good.status_code == 302


def test_idle_session_expires(world, client_for, settings):
    client = client_for(world.staff_a)
    assert client.get(reverse("communities:estate_list")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("communities:estate_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    login_page = client.get(response.url).content.decode()
    assert "您长时间未操作，已自动退出" in login_page


def test_pages_require_login(client):
    response = client.get(reverse("communities:estate_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_residents_find_the_complaint_form_and_tracking_from_the_login_page(client):
    """The portal's front door is the login page; residents have no account."""
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("complaints:public_form") in page and reverse("complaints:track") in page
    assert client.get(reverse("complaints:public_form")).status_code == 200
    assert client.get(reverse("complaints:track")).status_code == 200


def test_english_is_available(world, client_for):
    client = client_for(world.staff_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/ledger/"})
    page = client.get(reverse("communities:estate_list")).content.decode()
    assert "Estate ledger" in page and '<html lang="en"' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/ledger/"})
    assert "小区台账" in client.get(reverse("communities:estate_list")).content.decode()


def test_time_zone_and_language_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.LANGUAGE_CODE == "zh-hans" and settings.USE_TZ


def test_static_assets_are_local(world, client_for):
    page = client_for(world.staff_a).get(reverse("communities:estate_list")).content.decode()
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min" in page and "/static/vendor/htmx-2.0.11/htmx.min" in page
    assert "https://" not in page.split("<body")[0]


def test_pages_and_api_keep_working_when_redis_is_down(world, client_for, settings):
    """The cache is an accelerator: with Redis unreachable, sessions come from
    the database and totals are computed."""
    client = client_for(world.staff_a)
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get(reverse("communities:estate_list"))
    assert response.status_code == 200
    assert response.context["totals"]["count"] == 2
    api = client.get("/api/v1/estates/")
    assert api.status_code == 200 and api.json()["count"] == 2


def test_every_benchmark_part_imports_and_offers_measure_and_render():
    """`make bench` is not run by CI; at least its modules must load with the code they measure."""
    import importlib

    from bench.management.commands.bench import APP_PARTS

    for name, module_name in APP_PARTS.items():
        module = importlib.import_module(module_name)
        assert callable(module.measure) and callable(module.render), name
