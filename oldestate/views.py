import logging
import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from oldestate.celery import app as celery_app

logger = logging.getLogger(__name__)


@login_required
def home(request):
    return redirect("dashboard:home")


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any failure here means "down": report it, don't raise
        logger.warning("healthz: database unavailable: %s", exc)
        return "down"


def broker_state() -> str:
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_DIR
        folder.mkdir(parents=True, exist_ok=True)
        return "ok" if os.access(folder, os.W_OK) else "down"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return "ok"
    except Exception as exc:  # kombu raises a different class per transport
        logger.warning("healthz: broker unavailable: %s", exc)
        return "down"


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the Celery broker answer, 503 otherwise."""
    state = {"database": database_state(), "broker": broker_state()}
    healthy = all(value == "ok" for value in state.values())
    return JsonResponse({"status": "ok" if healthy else "down", **state}, status=200 if healthy else 503)
