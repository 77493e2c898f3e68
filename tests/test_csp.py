"""The Content-Security-Policy: every HTML page sends it, and no template holds
what it would refuse (inline script, inline style, inline event handlers, eval
through htmx). The browser side is tests/browser/test_csp.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.csp_pages import PUBLIC, build_data, page_urls, unlisted_url_names

TEMPLATES = Path(settings.BASE_DIR) / "templates"

EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


# Django's admin and django-simple-history's history pages carry inline styles
# we do not write: there, and only there, inline styles are allowed (oldestate/csp.py).
EXPECTED_ADMIN_POLICY = {**EXPECTED_POLICY, "style-src": {"'self'", "'unsafe-inline'"}}


def expected_policy(path: str) -> dict[str, set[str]]:
    return EXPECTED_ADMIN_POLICY if path.startswith("/admin/") else EXPECTED_POLICY


def parse_policy(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def test_every_url_pattern_is_a_csp_page_or_skipped():
    assert unlisted_url_names() == [], "add these pages to tests/csp_pages.py FILL (or SKIP, with the reason)"


@pytest.fixture
def pages(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return page_urls(build_data(world))


def test_every_page_type_sends_the_strict_policy(world, pages):
    """Each page as the first role that may open it (anonymous for the public
    pages); every HTML answer on the way, refusals included, sends the policy."""
    clients = {"anonymous": Client()}
    for role in ("official", "staff_a", "worker_a1", "auditor", "admin"):
        clients[role] = Client()
        clients[role].force_login(getattr(world, role))
    unseen = []
    for name, path in pages:
        statuses = {}
        for role, client in clients.items():
            if role == "anonymous" and name not in PUBLIC:
                continue
            response = client.get(path)
            statuses[role] = response.status_code
            if response.get("Content-Type", "").startswith("text/html"):
                assert "Content-Security-Policy" in response, f"{name} ({path}) as {role}: no CSP header"
                assert parse_policy(response["Content-Security-Policy"]) == expected_policy(path), f"{name} as {role}"
                assert "Content-Security-Policy-Report-Only" not in response
            if response.status_code == 200:
                break
        else:
            unseen.append((name, path, statuses))
    # Every page type was really rendered by some role, not only refused.
    assert unseen == [], "\n".join(f"{name} {path} {statuses}" for name, path, statuses in unseen)


def test_error_pages_send_the_policy_too(world):
    client = Client()
    client.force_login(world.staff_a)
    response = client.get("/ledger/999999/")
    assert response.status_code == 404
    assert parse_policy(response["Content-Security-Policy"]) == EXPECTED_POLICY


def test_only_the_admin_allows_inline_styles_and_nowhere_inline_scripts(world):
    client = Client()
    client.force_login(world.admin)
    admin = parse_policy(client.get("/admin/")["Content-Security-Policy"])
    portal = parse_policy(client.get("/ledger/")["Content-Security-Policy"])
    assert "'unsafe-inline'" in admin["style-src"] and "'unsafe-inline'" not in portal["style-src"]
    assert admin["script-src"] == portal["script-src"] == {"'self'"}


def test_api_docs_init_script_is_served_from_the_portal(world):
    """Swagger UI's init script comes from ?script (not inline), as JavaScript."""
    client = Client()
    client.force_login(world.official)
    page = client.get("/api/v1/docs/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert any("script" in src.split("?")[-1] for src in sources)
    init = client.get(next(src for src in sources if "?" in src))
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in init.content


# What the policy refuses, as it appears in a template. Each pattern with an
# example of what it catches.
FORBIDDEN = {
    'a style attribute (style="width: 6rem")': re.compile(r"\sstyle\s*=", re.I),
    'an inline event handler (onchange="this.form.submit()")': re.compile(r"\son[a-z]+\s*=", re.I),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    'a javascript: URL (href="javascript:…")': re.compile(r"javascript:", re.I),
    "an hx-on attribute (htmx evaluates it as code)": re.compile(r"\shx-on", re.I),
    "an htmx trigger filter (change[…], evaluated as code)": re.compile(r'hx-trigger\s*=\s*"[^"]*\[', re.I),
    "an hx-vals/hx-vars with js: (evaluated as code)": re.compile(r"hx-va(ls|rs)\s*=\s*['\"]\s*(js|javascript):", re.I),
}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


def offences(text: str) -> list[str]:
    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(text)]
    for attributes in SCRIPT_TAG.findall(text):
        if re.search(r"\ssrc\s*=", attributes):
            continue
        if re.search(r"""\stype\s*=\s*["']application/json["']""", attributes):
            continue  # a data block: never executed
        found.append(f"an inline script (<script{attributes}>)")
    return found


@pytest.mark.parametrize(
    "example",
    [
        '<input style="width:6rem">',
        '<select onchange="this.form.submit()">',
        '<button type="button" onclick="window.print()">',
        "<script>window.x = 1;</script>",
        '<script nonce="{{ request.csp_nonce }}">x()</script>',
        "<style>body { margin: 0 }</style>",
        '<form hx-get="/" hx-trigger="change[target.id!=\'id_q\'], submit">',
        '<button hx-on:click="alert(1)">',
        '<a href="javascript:history.back()">',
    ],
)
def test_the_template_check_catches(example):
    assert offences(example)


def test_the_template_check_lets_through_what_the_policy_allows():
    allowed = (
        '<script src="/static/js/portal.js"></script>'
        '<script type="application/json" id="dashboard-ui">{"a": 1}</script>'
        '<div class="progress-bar" data-width="40"></div><select data-autosubmit>'
        '<form hx-get="/ledger/" hx-trigger="change, submit, input changed delay:400ms from:#id_q">'
    )
    assert offences(allowed) == []


def test_no_template_holds_inline_script_style_or_handlers():
    found = {
        str(path.relative_to(TEMPLATES)): problems
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (problems := offences(path.read_text(encoding="utf-8")))
    }
    assert found == {}
