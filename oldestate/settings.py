"""Settings for the oldestate portal, read from the environment.

One module, no per-environment overrides. With nothing set the portal runs on
SQLite and an on-disk Celery broker, so a newcomer needs nothing installed; set
DATABASE_URL and REDIS_URL to run it on PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only exists so that `make run` works on a fresh clone; any
# deployment sets SECRET_KEY (check --deploy fails on this one).
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-oldestate-development-only-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_celery_beat",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "core",
    "org",
    "accounts",
    "communities",
    "renovation",
    "propertymgmt",
    "complaints",
    "dashboard",
    "bench",  # the `make bench` command; outside the layers, imported by no app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Near the top, so every response (error pages included) carries the
    # policy; django-csp's, with inline styles allowed under /admin/ only.
    "oldestate.csp.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # NUL characters and over-long query strings are a 400 before any view runs.
    "core.middleware.InputHygieneMiddleware",
    "accounts.middleware.IdleSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oldestate.urls"
WSGI_APPLICATION = "oldestate.wsgi.application"
ASGI_APPLICATION = "oldestate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if IS_SQLITE:
    # The embedded demo database is shared by the web server, two worker
    # processes and beat: write-ahead logging lets readers go on while one
    # writes, and taking the write lock at BEGIN (with a wait) avoids the
    # "database is locked" a reader gets when it later tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="oldestate"),
            # Fail fast when Redis is down: one short try, then a back-off
            # (core.cache_backends) during which the cache answers without Redis.
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -------------------------------------------------------------------
# Without Redis the broker is a folder on disk (kombu's filesystem transport):
# good enough for one machine running the demo, with nothing to install.
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The transport ignores the host; naming one spares every process kombu's
    # "No hostname was supplied" warning.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        # Broadcast (control) tables: kombu's default is ./control, beside the code.
        "control_folder": str(VAR_DIR / "celery-control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "core.purge-expired-files": {
        "task": "core.tasks.purge_expired_files",
        "schedule": 3600.0,
    },
    # Complaints: deadlines flagged and escalated (idempotent), the outbox drained.
    "complaints.check-deadlines": {"task": "complaints.tasks.check_deadlines", "schedule": 1800.0},
    "complaints.deliver-notifications": {"task": "complaints.tasks.deliver_notifications", "schedule": 60.0},
    # Weekly; each project is reminded at most once per week (unique key), so a
    # second run or an edited schedule never reminds twice.
    "renovation.remind-behind-schedule": {
        "task": "renovation.tasks.remind_behind_schedule",
        "schedule": 7 * 24 * 3600.0,
    },
    # Daily; both are idempotent by unique keys (a payment per estate, period and
    # tranche; a reminder per committee step and date), so running twice is harmless.
    "propertymgmt.run-subsidies": {
        "task": "propertymgmt.tasks.run_subsidies",
        "schedule": 24 * 3600.0,
    },
    # Daily, so a worker that was down on the 1st still records the month; a
    # month already recorded is never written again.
    "dashboard.month-end-snapshots": {
        "task": "dashboard.tasks.take_month_end_snapshots",
        "schedule": 24 * 3600.0,
    },
    # Daily, after the run: approved payments into the period's open disbursement batch.
    # A payment is in at most one live line (unique key), and the district's period row
    # is locked while a batch is built, so two beat processes make one batch.
    "propertymgmt.build-disbursement-batches": {
        "task": "propertymgmt.tasks.build_disbursement_batches",
        "schedule": 24 * 3600.0,
    },
    "propertymgmt.committee-reminders": {
        "task": "propertymgmt.tasks.send_committee_reminders",
        "schedule": 24 * 3600.0,
    },
    # Weekly: maintenance-fund accounts below 30% of their initial deposit (art. 17).
    # One notice per account and episode (the Notice key), however often it runs.
    "propertymgmt.fund-top-up-reminders": {
        "task": "propertymgmt.tasks.remind_fund_top_ups",
        "schedule": 7 * 24 * 3600.0,
    },
}
# SMS to residents, committees and staff (core/sms.py): a class with
# send_messages([(mobile, text), ...]); the default logs them.
SMS_BACKEND = env.str("SMS_BACKEND", default="core.sms.LoggingBackend")
# core.sms.FileBackend appends the messages here (`make run` uses it for the demo).
SMS_LOG_FILE = env.path("SMS_LOG_FILE", default=str(VAR_DIR / "sms.log"))

# --- Auth, sessions, lockout ------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A working day at most; idle sessions end sooner (accounts.middleware).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.5)
# Lock the account, not the address: a street office's clerks share one NAT
# address, and one clerk's typos must not lock out the whole office.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if IS_SQLITE:
    # The covering index's INCLUDE columns only matter on PostgreSQL, and so does
    # the one-global-subsidy-rate-per-mode constraint (NULLS NOT DISTINCT): the
    # embedded demo database does without them.
    SILENCED_SYSTEM_CHECKS += ["models.W040", "models.W047"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Security (production defaults; DEBUG relaxes what needs HTTPS) -------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS

# Content-Security-Policy (django-csp): scripts, styles, fonts and fetches only
# from the portal itself; no inline script, no inline style, no eval. Templates
# keep their JS in static/js and their styles in static/css (tests/test_csp.py
# checks the files, tests/browser/test_csp.py every page in chromium). "data:"
# images are Bootstrap's own icons (select arrows, close buttons) in its CSS.
# The one exception, inline styles under /admin/, is in oldestate/csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Language, time, formats -----------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Django's zh_Hans input formats carry an invalid `%Y年%n月%j日`; ours accept
# 2026-03-05, 2026/3/5 and 2026年3月5日.
FORMAT_MODULE_PATH = ["oldestate.formats"]

# --- Files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files are never served from MEDIA_URL: downloads go through views
# that check the user's scope.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# --- Forms, API ----------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PortalApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_USER_RATE", default="6000/hour")},
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "老旧小区管理平台 API",
    "DESCRIPTION": "小区台账、楼栋、街道、社区与产权单位。所有结果都按调用者的管辖范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers (400/403/404/429, 409 on edits).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.add_error_responses"],
    # Property app: several models have a "status"; name each choice set.
    "ENUM_NAME_OVERRIDES": {
        "PropertyCompanyStatusEnum": "propertymgmt.models.CompanyStatus",
        "OwnersVoteStatusEnum": "propertymgmt.models.VoteStatus",
        "SubsidyPaymentStatusEnum": "propertymgmt.models.SubsidyPayment.Status",
        "DisbursementBatchStatusEnum": "propertymgmt.models.DisbursementBatch.Status",
        "BatchLineStatusEnum": "propertymgmt.models.BatchLine.Status",
        "ComplaintStatusEnum": "complaints.models.Status",
    },
}

# --- Domain settings ----------------------------------------------------------
# "Old estate" cut-off: built in or before this year (national scope: end of 2000).
OLD_ESTATE_CUTOFF_YEAR = env.int("OLD_ESTATE_CUTOFF_YEAR", default=2000)
# Renovation: without a household register, residents consent when at least this share (%) agrees.
RENOVATION_CONSENT_SHARE_LINE = env.str("RENOVATION_CONSENT_SHARE_LINE", default="66.67")
# Exports with more rows than this run as a background job instead of in the request.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=5000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
# The report workbook of a scope with more estates than this is built as a background job.
WORKBOOK_ASYNC_ESTATES = env.int("WORKBOOK_ASYNC_ESTATES", default=5000)
EXPORT_DIR = VAR_DIR / "exports"
IMPORT_KEEP_HOURS = env.int("IMPORT_KEEP_HOURS", default=24)
PORTAL_TITLE = env.str("PORTAL_TITLE", default="老旧小区管理平台")
# Names sort in pinyin order through this PostgreSQL ICU collation; set it
# empty if the server was built without ICU (then: code-point order).
PINYIN_COLLATION = env.str("PINYIN_COLLATION", default="zh-x-icu")
# Complaints: public form limits, photos, rating period.
COMPLAINT_RATE_PER_IP_HOUR = env.int("COMPLAINT_RATE_PER_IP_HOUR", default=20)
COMPLAINT_RATE_PER_PHONE_DAY = env.int("COMPLAINT_RATE_PER_PHONE_DAY", default=5)
COMPLAINT_CHALLENGE_AFTER = env.int("COMPLAINT_CHALLENGE_AFTER", default=3)
COMPLAINT_MAX_PHOTOS = 3
COMPLAINT_PHOTO_MAX_BYTES = env.int("COMPLAINT_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
COMPLAINT_RATING_WORKING_DAYS = env.int("COMPLAINT_RATING_WORKING_DAYS", default=5)
OPEN311_API_KEYS = env.list("OPEN311_API_KEYS", default=[])
# Wrong number + phone pairs on /complaints/track/ before a 429, per hour.
COMPLAINT_TRACK_MISSES_PER_IP_HOUR = env.int("COMPLAINT_TRACK_MISSES_PER_IP_HOUR", default=20)
COMPLAINT_TRACK_MISSES_PER_NUMBER_HOUR = env.int("COMPLAINT_TRACK_MISSES_PER_NUMBER_HOUR", default=10)
# The portal's public address, for links sent by SMS (otherwise the request's host).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
# The most rows one spreadsheet import may hold (core.xlsx_import).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
