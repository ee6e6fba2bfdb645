"""Homeward settings: everything comes from environment variables with safe defaults.

The defaults give the embedded product (SQLite under var/, Huey on SQLite, one
consumer); a province's deployment sets DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# zhconv imports pkg_resources where setuptools is installed, which warns; nothing to act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("HOMEWARD_VAR_DIR", BASE_DIR.parent / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written with 0600 from the start so the key is never world-readable.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _checked_keys(keys: list[tuple[str, bytes]], hash_key: bytes, where: str):
    ids = [key_id for key_id, _ in keys]
    if not keys or len(set(ids)) != len(ids) or not all(k.isascii() and k.isalnum() for k in ids):
        raise ImproperlyConfigured(
            f"{where}: the field keys need ids of letters and digits, once each."
        )
    if any(len(key) != 32 for _, key in keys) or len(hash_key) != 32:
        raise ImproperlyConfigured(f"{where}: every field key and the hash key are 32 bytes.")
    return keys, hash_key


def _field_keys() -> tuple[list[tuple[str, bytes]], bytes]:
    """The keys of field-level encryption (homeward/common/crypto.py): from the environment,
    FIELD_KEYS="k2:BASE64,k1:BASE64" (the first encrypts, all decrypt) with FIELD_HASH_KEY;
    else from var/field_keys.json, generated once with one key. Losing them loses the
    encrypted values: keep them apart from the database (`homeward backup --with-secrets`
    puts them beside it, docs/privacy.md). A generated key has an id of its own, so values
    under a lost key say which key they need instead of failing to open."""
    import base64
    import binascii
    import contextlib
    import json
    import tempfile

    env_keys, env_hash = env_str("FIELD_KEYS"), env_str("FIELD_HASH_KEY")
    if bool(env_keys) != bool(env_hash):
        raise ImproperlyConfigured("Set FIELD_KEYS and FIELD_HASH_KEY together, or neither.")
    if env_keys:
        try:
            keys = []
            for item in env_keys.split(","):
                key_id, _, value = item.strip().partition(":")
                keys.append((key_id, base64.b64decode(value, validate=True)))
            return _checked_keys(keys, base64.b64decode(env_hash, validate=True), "FIELD_KEYS")
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured("FIELD_KEYS or FIELD_HASH_KEY is not base64.") from None
    path = VAR_DIR / "field_keys.json"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fresh = {
            "keys": [
                [f"k{secrets.token_hex(4)}", base64.b64encode(secrets.token_bytes(32)).decode()]
            ],
            "hash": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        # Written whole under a name of its own, synced, then linked into place: a process
        # starting at the same moment reads no file or the whole of one, and never has its
        # keys written over.
        fd, partial = tempfile.mkstemp(prefix=".field_keys.", dir=VAR_DIR)
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(fresh, handle)
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: theirs
                os.link(partial, path)
        finally:
            os.unlink(partial)
    stored = json.loads(path.read_text())
    keys = [(key_id, base64.b64decode(value)) for key_id, value in stored["keys"]]
    return _checked_keys(keys, base64.b64decode(stored["hash"]), str(path))


def _database(url: str) -> dict:
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'homeward.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
    except Exception as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database address Homeward understands ({exc}). "
            "Use postgres://USER@HOST:PORT/NAME or sqlite:////absolute/path.sqlite3, "
            "or leave it unset for the embedded SQLite database under var/."
        ) from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL names SQLite but gives no file path.")
        config["OPTIONS"] = {
            # WAL lets the web server read while the job consumer writes;
            # IMMEDIATE avoids "database is locked" on read-then-write transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL names PostgreSQL but gives no database name.")
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL uses an engine Homeward does not support ({engine or 'none'}): "
            "use postgres:// or sqlite://."
        )
    config["TEST"] = {"NAME": None}
    return config


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
FIELD_KEYS, FIELD_HASH_KEY = _field_keys()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
DATABASES = {"default": _database(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Map tiles for the command center, e.g. https://tiles.example/{z}/{x}/{y}.png; empty: no tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "axes",
    "ninja",
    "homeward.regions",
    "homeward.accounts",
    "homeward.stations",
    "homeward.cases",
    "homeward.tracing",
    "homeward.portal",
    "homeward.dispatch",
    "homeward.campaigns",
    "homeward.reports",
    "homeward.backups",
    "homeward.privacy",
    "homeward.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "homeward.web.middleware.ApiTextMiddleware",
    "homeward.web.middleware.SecurityHeadersMiddleware",
    "homeward.web.middleware.PdfFontMiddleware",
    # Every page through the permission map (accounts/access.py) before its view.
    "homeward.web.middleware.AccessMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "homeward.urls"
WSGI_APPLICATION = "homeward.wsgi.application"

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
                "homeward.web.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "homeward.accounts.permissions.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failures, per user name and address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
# HTTPS=true when the site is served over HTTPS (directly or behind a proxy that sets
# X-Forwarded-Proto): cookies only over HTTPS, and browsers told to use nothing else.
HTTPS = env_bool("HTTPS", False) or env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# The attribute model the web app fitted to its own records (nightly; absent: the shipped one),
# and how much data a fit needs before it replaces the start model.
ATTRIBUTE_MODEL_FILE = Path(
    env_str("HOMEWARD_ATTRIBUTE_MODEL", str(VAR_DIR / "attribute-model.json"))
)
ATTRIBUTE_FIT_MIN_FOUND = 200
ATTRIBUTE_FIT_MIN_MISSING = 1000
# Face photos the demo gives some people and reports (`make run` fetches them the way the
# tests do: scripts/fetch_test_faces.py); without them the demo has no photos.
DEMO_FACES = Path(env_str("HOMEWARD_DEMO_FACES", str(VAR_DIR / "demo-faces")))
MEDIA_URL = "media/"
# The reporting families' DNA indexes the matcher keeps between runs (made again when
# absent). With a matching cluster, storage every worker reads (docs/operations.md).
DNA_INDEX_DIR = Path(env_str("DNA_INDEX_DIR", str(VAR_DIR / "dna-index")))
# The nightly backup (docs/operations.md): where it goes (put it on another disk), whether it
# runs, and how many daily, weekly and monthly backups are kept.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_NIGHTLY = env_bool("BACKUP_NIGHTLY", True)
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 4)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12)

# The retention table (homeward/privacy/rules.py, docs/privacy.md): days each kind of
# sensitive information is kept once its purpose has ended. The daily job applies them.
PRIVACY_RELATIVE_DNA_DAYS = env_int("PRIVACY_RELATIVE_DNA_DAYS", 30)
PRIVACY_FOUND_DNA_DAYS = env_int("PRIVACY_FOUND_DNA_DAYS", 30)
PRIVACY_FACE_DAYS = env_int("PRIVACY_FACE_DAYS", 1)
PRIVACY_REPORT_CONTACT_DAYS = env_int("PRIVACY_REPORT_CONTACT_DAYS", 30)
PRIVACY_NOTICE_DAYS = env_int("PRIVACY_NOTICE_DAYS", 1)
PRIVACY_TIP_DAYS = env_int("PRIVACY_TIP_DAYS", 90)
PRIVACY_AUDIT_DAYS = env_int("PRIVACY_AUDIT_DAYS", 3 * 365)

REDIS_URL = env_str("REDIS_URL")
# One cache for every process (web workers and the job consumer), so rate limits and
# cached public lists agree between them: Redis at scale, files under var/ embedded.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(VAR_DIR / "cache")),
        }
    )
}
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "homeward"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "homeward"),
        "filename": env_str("HUEY_FILE", str(VAR_DIR / "huey.sqlite3")),
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The Huey consumer adds a handler of its own; don't print each line twice.
        "huey": {"handlers": [], "propagate": False},
    },
}

SITE_TITLE = _("Homeward relief management")

# Tracing: notices appear this many hours after intake (24 by national rule);
# candidates below this posterior probability are not put in front of reviewers.
NOTICE_DELAY_HOURS = env_float("NOTICE_DELAY_HOURS", 24)
TRACING_CANDIDATE_FLOOR = env_float("TRACING_CANDIDATE_FLOOR", 0.01)
# A Dask scheduler (tcp://host:8786) the nightly re-link matches on; empty: in the job's
# own process (docs/cluster.md).
MATCH_CLUSTER = env_str("MATCH_CLUSTER", "")
# A job begun by a consumer on another machine and not finished after this many hours is
# taken for interrupted and queued again (on this machine, a dead process tells at once).
JOB_STALE_HOURS = env_float("JOB_STALE_HOURS", 6)
MATCH_CLUSTER_TIMEOUT = env_float("MATCH_CLUSTER_TIMEOUT", 30.0)  # seconds to wait for it
# Figures of one report computed at once on PostgreSQL (threads, a connection each).
REPORTS_PARALLEL = env_int("REPORTS_PARALLEL", 3)
# Text messages (verification codes, alerts): the embedded default writes them to a file.
SMS_SENDER = env_str("SMS_SENDER", "homeward.common.senders.FileSender")
SMS_OUTBOX = env_str("SMS_OUTBOX", str(VAR_DIR / "outbox" / "sms.jsonl"))
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "outbox" / "mail"))
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000")  # links in alerts and posters
# PFIF record ids begin with a domain name; empty: PUBLIC_URL's host (which must be a name).
PFIF_DOMAIN = env_str("PFIF_DOMAIN", "")
