"""Dockboard's settings: embedded defaults, everything else from the environment (see README)."""

import ipaddress
import os
from datetime import timedelta

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dashboard import data_dir

BASE_DIR = data_dir.BASE_DIR
DATA_DIR = data_dir.location()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DOCKBOARD_SECRET_KEY") or data_dir.read_secret_key(DATA_DIR)
# Rotation: the new key signs, old ones (comma-separated) still verify sessions and links.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("DOCKBOARD_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]
if not SECRET_KEY:
    raise ImproperlyConfigured(
        f"No secret key: set DOCKBOARD_SECRET_KEY, or make one in {DATA_DIR} with "
        "`python -m dashboard.data_dir` (make run and make test do)."
    )
DEBUG = _flag("DOCKBOARD_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DOCKBOARD_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
DOCKBOARD_BIND = os.environ.get("DOCKBOARD_BIND", "127.0.0.1:8000")
# Where Dockboard speaks the Docker Engine API to the `docker` CLI (host:port, loopback by default).
DOCKBOARD_DOCKER_API = os.environ.get("DOCKBOARD_DOCKER_API", "127.0.0.1:8001")
# Registries a pull may name even at a link-local address or Dockboard's own (host:port).
DOCKBOARD_ALLOWED_REGISTRIES = [
    r.strip() for r in os.environ.get("DOCKBOARD_ALLOWED_REGISTRIES", "").split(",") if r.strip()
]

# The engine: DOCKER_HOST as the docker CLI reads it, else the local socket.
DOCKER_HOST = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
DOCKER_TIMEOUT = float(os.environ.get("DOCKBOARD_DOCKER_TIMEOUT", "15"))
# How much more memory than an engine has its containers may request together, when labs place
# sessions: requests are what a container needs, its limit what it may burst to (README).
DOCKBOARD_OVERCOMMIT = float(os.environ.get("DOCKBOARD_OVERCOMMIT", "1.0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "channels",
    "django_tasks_db",
    "dashboard",
    "containers",
    "images",
    "volumes",
    "networks",
    "teams",
    "audit",
    "engines",
    "swarm",
    "labs",
    "recordings",
    "dockerapi",
    "stats",
    "stacks",
    "signon",
    "axes",
]

# The async-capable middleware come first: under ASGI the request then crosses into a thread
# once, where the sync middleware and views run (each sync one above an async one costs a hop).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "dashboard.engine.scope.EngineScopeMiddleware",
    "dashboard.web.middleware.RequestBeganMiddleware",
    "dashboard.ops.metrics.RequestMetricsMiddleware",
    "dashboard.web.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.actions.audit.AuditMiddleware",
    "dashboard.web.middleware.EngineErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
ASGI_APPLICATION = "dashboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.web.context_processors.team_status",
                "dashboard.web.context_processors.current_engine",
                "dashboard.web.context_processors.live_since",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DOCKBOARD_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'dockboard.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web server share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        # WAL: readers do not wait for the worker's progress writes, and commits stay cheap.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool per process bounds its connections however many requests and websockets run at
    # once (each in a thread of its own): N processes hold at most N times its size. A request
    # waits up to the timeout for one, then gets the busy page. Each connection is checked as
    # it is handed out: after a server restart the pool's idle ones are dead.
    from psycopg_pool import ConnectionPool

    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DOCKBOARD_DATABASE_POOL", "10")),
        "timeout": 10,
        "check": ConnectionPool.check_connection,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DOCKBOARD_REDIS_URL = os.environ.get("DOCKBOARD_REDIS_URL", "")
if DOCKBOARD_REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 cuts any read at 5 s by default, and the layer's receive is a blocking
            # pop of up to 5 s: every idle websocket would fail within seconds (redis-py#4091).
            "CONFIG": {"hosts": [{"address": DOCKBOARD_REDIS_URL, "socket_timeout": None}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# `make run`'s processes: web servers behind the one address (more than one needs Redis), and
# task workers (each task runs once, on one of them).
DOCKBOARD_WEB_PROCESSES = int(os.environ.get("DOCKBOARD_WEB_PROCESSES", "1"))
DOCKBOARD_TASK_WORKERS = int(os.environ.get("DOCKBOARD_TASK_WORKERS", "1"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A queued task wakes the worker at once (dashboard/worker_wake.py); this poll is the fallback.
DOCKBOARD_WORKER_INTERVAL = float(os.environ.get("DOCKBOARD_WORKER_INTERVAL", "1"))
# Scheduled backups by the worker (dashboard.ops.backup): off unless a directory is given.
DOCKBOARD_BACKUP_DIR = os.environ.get("DOCKBOARD_BACKUP_DIR", "")
DOCKBOARD_BACKUP_HOURS = float(os.environ.get("DOCKBOARD_BACKUP_HOURS", "24"))
DOCKBOARD_BACKUP_KEEP = int(os.environ.get("DOCKBOARD_BACKUP_KEEP", "7"))
# A running pull whose worker has been silent this long is shown as interrupted.
DOCKBOARD_PULL_STALE_SECONDS = 15
# A lab session still starting this long after it was asked for lost its worker (killed, say):
# the reaper fails it, with a message, and removes what was made of it.
DOCKBOARD_LAB_LAUNCH_SECONDS = float(os.environ.get("DOCKBOARD_LAB_LAUNCH_SECONDS", "600"))
# Lab sessions' private networks take /28 subnets from here (4096 of them by default), so that
# a class of 50 does not exhaust the engine's default pools (about 30 networks).
DOCKBOARD_LAB_SUBNETS = os.environ.get("DOCKBOARD_LAB_SUBNETS", "10.213.0.0/16")
# A scheduled class's images are pulled, and its warm pool made, from this long before it
# starts: ready by five minutes before for a class of 200 on two engines.
DOCKBOARD_LAB_WARM_MINUTES = float(os.environ.get("DOCKBOARD_LAB_WARM_MINUTES", "10"))
# A warm session of a class with no end time is made again after this long unclaimed.
DOCKBOARD_LAB_WARM_HOURS = float(os.environ.get("DOCKBOARD_LAB_WARM_HOURS", "12"))
# The stats collector reads every running container on every engine this often (seconds), and
# keeps each reading this many hours, its minute averages this many hours and its hour averages
# this many days (bench/stats.py measures what an interval costs).
# Alerts' e-mail: an SMTP server (STARTTLS with DOCKBOARD_EMAIL_TLS=1).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("DOCKBOARD_EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("DOCKBOARD_EMAIL_PORT", "25")),
            "username": os.environ.get("DOCKBOARD_EMAIL_USER", ""),
            "password": os.environ.get("DOCKBOARD_EMAIL_PASSWORD", ""),
            "use_tls": os.environ.get("DOCKBOARD_EMAIL_TLS") == "1",
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DOCKBOARD_EMAIL_FROM", "dockboard@localhost")
# `/metrics` (Prometheus' text format, with a personal access token): off unless "on".
DOCKBOARD_METRICS = os.environ.get("DOCKBOARD_METRICS", "off") == "on"
DOCKBOARD_STATS_INTERVAL = float(os.environ.get("DOCKBOARD_STATS_INTERVAL", "5"))
DOCKBOARD_STATS_RAW_HOURS = float(os.environ.get("DOCKBOARD_STATS_RAW_HOURS", "2"))
DOCKBOARD_STATS_MINUTE_HOURS = float(os.environ.get("DOCKBOARD_STATS_MINUTE_HOURS", "48"))
DOCKBOARD_STATS_HOUR_DAYS = float(os.environ.get("DOCKBOARD_STATS_HOUR_DAYS", "90"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: a username is locked out from an address after repeated failures (audited).
# AxesBackend only refuses locked-out logins (and serves sessions as ModelBackend does); the
# password itself is checked by ModelBackend after it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "signon.directory.DirectoryBackend",  # LDAP, once DOCKBOARD_LDAP_URI is set
    "signon.directory.PasswordGate",  # DOCKBOARD_LOCAL_LOGIN=off stops here
    "django.contrib.auth.backends.ModelBackend",
    "signon.oidc.OIDCBackend",  # only for the provider's callback, and only once an issuer is set
]
# Single sign-on (OpenID Connect, authorization code with PKCE; signon/): on when an issuer is set.
DOCKBOARD_OIDC_ISSUER = os.environ.get("DOCKBOARD_OIDC_ISSUER", "")
DOCKBOARD_OIDC_NAME = os.environ.get("DOCKBOARD_OIDC_NAME", "") or "single sign-on"
DOCKBOARD_OIDC_GROUPS_CLAIM = os.environ.get("DOCKBOARD_OIDC_GROUPS_CLAIM", "groups")
DOCKBOARD_SSO_GROUPS = os.environ.get("DOCKBOARD_SSO_GROUPS", "")  # GROUP=TEAM:ROLE;…
# LDAP or Active Directory (signon/ldap_backend.py; python-ldap: `pip install 'dockboard[ldap]'`).
DOCKBOARD_LDAP_URI = os.environ.get("DOCKBOARD_LDAP_URI", "")  # ldap:// or ldaps://HOST
DOCKBOARD_LDAP_BIND_DN = os.environ.get("DOCKBOARD_LDAP_BIND_DN", "")
DOCKBOARD_LDAP_BIND_PASSWORD = os.environ.get("DOCKBOARD_LDAP_BIND_PASSWORD", "")
DOCKBOARD_LDAP_USER_SEARCH = os.environ.get("DOCKBOARD_LDAP_USER_SEARCH", "")  # BASE?(uid=%(user)s)
DOCKBOARD_LDAP_GROUP_SEARCH = os.environ.get("DOCKBOARD_LDAP_GROUP_SEARCH", "")  # BASE?FILTER
DOCKBOARD_LDAP_GROUP_TYPE = os.environ.get("DOCKBOARD_LDAP_GROUP_TYPE", "groupOfNames")
DOCKBOARD_LDAP_START_TLS = os.environ.get("DOCKBOARD_LDAP_START_TLS", "") == "on"
DOCKBOARD_LDAP_CA = os.environ.get("DOCKBOARD_LDAP_CA", "")
# The worker reads the directory's people's groups again this often (roles between sign-ins).
DOCKBOARD_LDAP_SYNC_MINUTES = float(os.environ.get("DOCKBOARD_LDAP_SYNC_MINUTES", "15"))
# Passwords can be turned off for everyone but one break-glass administrator.
DOCKBOARD_LOCAL_LOGIN = os.environ.get("DOCKBOARD_LOCAL_LOGIN", "on") != "off"
DOCKBOARD_BREAK_GLASS = os.environ.get("DOCKBOARD_BREAK_GLASS", "")
OIDC_RP_CLIENT_ID = os.environ.get("DOCKBOARD_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("DOCKBOARD_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("DOCKBOARD_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("DOCKBOARD_OIDC_SCOPES", "openid email profile groups")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
AXES_FAILURE_LIMIT = int(os.environ.get("DOCKBOARD_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DOCKBOARD_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
DOCKBOARD_AUDIT_DAYS = int(os.environ.get("DOCKBOARD_AUDIT_DAYS", "90"))
# Every audit row is also streamed to these, when set (audit.streaming; see the README).
DOCKBOARD_AUDIT_SYSLOG = os.environ.get("DOCKBOARD_AUDIT_SYSLOG", "")  # tcp:// or tls://HOST:PORT
DOCKBOARD_AUDIT_SYSLOG_CA = os.environ.get("DOCKBOARD_AUDIT_SYSLOG_CA", "")  # else the system's
DOCKBOARD_AUDIT_FILE = os.environ.get("DOCKBOARD_AUDIT_FILE", "")
DOCKBOARD_AUDIT_HTTP = os.environ.get("DOCKBOARD_AUDIT_HTTP", "")
DOCKBOARD_AUDIT_HTTP_TOKEN = os.environ.get("DOCKBOARD_AUDIT_HTTP_TOKEN", "")
# Terminal recordings (asciicast v2 under the data directory): kept this long, this large at most.
DOCKBOARD_RECORDING_DAYS = int(os.environ.get("DOCKBOARD_RECORDING_DAYS", "30"))
DOCKBOARD_RECORDING_MAX_BYTES = int(os.environ.get("DOCKBOARD_RECORDING_MAX_MB", "50")) * 1024**2
# What one copy into a container's files may hold (the file browser's upload, `docker cp -`).
DOCKBOARD_UPLOAD_MAX_BYTES = int(os.environ.get("DOCKBOARD_UPLOAD_MAX_MB", "100")) * 1024**2
# Networks (CIDR, comma-separated) a stack's Git repository may be on besides the internet: a
# Git server on the LAN. Loopback and private addresses are refused otherwise (a server-side
# request could reach this machine's or the network's services).
DOCKBOARD_GIT_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network.strip(), strict=False)
    for network in os.environ.get("DOCKBOARD_GIT_ALLOWED_NETWORKS", "").split(",")
    if network.strip()
]

# Paths, not URL names: a name would be reversed onto the engine of the page that redirects.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/engines/local/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"  # absolute: the same files under every engine's pages
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/xterm", BASE_DIR / "node_modules/@xterm/xterm"),
    ("vendor/xterm-addon-fit", BASE_DIR / "node_modules/@xterm/addon-fit"),
    ("vendor/xterm-addon-webgl", BASE_DIR / "node_modules/@xterm/addon-webgl"),
    ("vendor/asciinema-player", BASE_DIR / "node_modules/asciinema-player/dist/bundle"),
    ("vendor/uplot", BASE_DIR / "node_modules/uplot/dist"),
]
SERVESTATIC_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"dashboard": {"level": "INFO"}},
}

# Behind a TLS-terminating proxy: secure cookies, HSTS, and trust its X-Forwarded-Proto.
if _flag("DOCKBOARD_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    # Dockboard is meant to have a host name of its own; either can be turned off (set to 0).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("DOCKBOARD_HSTS_SUBDOMAINS", "1") != "0"
    SECURE_HSTS_PRELOAD = os.environ.get("DOCKBOARD_HSTS_PRELOAD", "1") != "0"
    SECURE_SSL_REDIRECT = True
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS if h != "*"]
