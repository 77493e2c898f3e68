"""The deployment files name things that exist in the code."""

from pathlib import Path

import yaml
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_portal_and_its_workers_from_one_image():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    for name in ("migrate", "web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
        assert "${SECRET_KEY:?" in env["SECRET_KEY"]
        assert services[name]["image"] == "oldestate:latest"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_commands_name_real_code():
    services = compose()["services"]
    beat = services["beat"]["command"]
    import_string(beat[beat.index("--scheduler") + 1].replace(":", "."))
    assert services["worker"]["command"][:3] == ["celery", "-A", "oldestate"]
    assert services["beat"]["deploy"]["replicas"] == 1
    import_string("oldestate.wsgi.application")
    assert "oldestate.wsgi:application" in (ROOT / "Dockerfile").read_text()


def test_every_variable_compose_reads_is_documented_in_env_example():
    import re

    used = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    documented = {
        line.split("=")[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert used <= documented, used - documented
