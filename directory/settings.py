"""Settings for the Crisis Centre Directory, read from environment variables.

Every variable is listed in README.md with its default. Safe by default: DEBUG is off unless asked for, and a
fresh checkout runs on SQLite with nothing else installed.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# No default key outside development: Django refuses, on first use, to sign anything with an empty key, while
# commands that sign nothing (makemigrations, collectstatic) still run.
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, which then sees each language's column of a translated text (centres/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",  # /sitemap.xml (centres/public/sitemaps.py)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "centres",
]

MIDDLEWARE = [
    "centres.logs.RequestLogMiddleware",  # first: one log line for every request, static files and redirects too
    "centres.middleware.BrowserPolicyMiddleware",  # on every response, the HTTPS redirect too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "centres.middleware.PublicPrivacyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "centres.signed_in.SecondFactorStateMiddleware",  # signed_in.*: never for an anonymous visitor
    "centres.second_factor.SecondFactorMiddleware",
    "centres.signed_in.SignedInMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "centres.middleware.ContentSecurityPolicyMiddleware",
    "centres.middleware.SignedInAreaHeadersMiddleware",
    "centres.signed_in.EditHistoryMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"

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
                "centres.context_processors.language_links",
                "centres.context_processors.advocacy_links",
            ],
        },
    },
]

# SQLite by default so that a fresh clone runs with nothing else installed; DATABASE_URL for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock when a transaction starts,
    # so two simultaneous saves queue up (within the timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# Whole anonymous pages have a cache of their own ("pages"), so that however many of them are kept they never push
# out the login lockout's counters, the rules or the data version kept in "default".
# The login lockout and the rate limits count in "counters", which every worker must share: Redis when there is
# one, else a table in the database (centres/counters.py) — never a per-process cache.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
        },
        "counters": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "counters",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        "counters": {"BACKEND": "centres.counters.CounterCache"},
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "centres:login"
LOGIN_REDIRECT_URL = "centres:home"
LOGOUT_REDIRECT_URL = "centres:home"

# Login lockout: keyed on the user name together with the address, with a cool-off. Attempts are counted in the
# cache, not the database, so no IP address is ever stored.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "counters"
AXES_CLIENT_IP_CALLABLE = "centres.clients.client_key"  # a keyed hash, never the address itself
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Behind a reverse proxy: HTTPS as the proxy says, and the client's address from X-Forwarded-For as written by the
# outermost of this many proxies of ours (centres/clients.py). Without BEHIND_PROXY the header is ignored.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# Rate limits (centres/limits.py), per client address (hashed), counted in the "counters" cache: requests a minute.
RATELIMIT_USE_CACHE = "counters"
RATE_LIMITS = {
    "search": env("RATE_LIMIT_SEARCH", default="60/m"),  # searches, filters and near me
    "export": env("RATE_LIMIT_EXPORT", default="10/m"),  # whole-list downloads, public and advocates'
    "login": env("RATE_LIMIT_LOGIN", default="20/m"),  # login forms and second-factor codes sent
    "correction": env("RATE_LIMIT_CORRECTION", default="5/h"),  # corrections sent from a centre's page
    "api": env("RATE_LIMIT_API", default="60/m"),  # open-data API requests (/api/), as many as searches
}
for _kind, _rate in RATE_LIMITS.items():
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", _rate):
        raise ImproperlyConfigured(
            f"RATE_LIMIT_{_kind.upper()}={_rate!r} is not a rate: write requests/period, as 60/m (s, m, h or d)."
        )

# The second factor (centres/second_factor.py): every login of the editor area needs one; advocates when this is on.
SECOND_FACTOR_FOR_ADVOCATES = env.bool("SECOND_FACTOR_FOR_ADVOCATES", default=False)
OTP_TOTP_ISSUER = "Crisis Centre Directory"

# Sessions (logged-in users only) expire after this much idle time.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "ru"
# Russian, Kazakh and English are complete; Kyrgyz, Uzbek (Latin) and Tajik cover the survival path (home,
# hotlines, search, centre page, quick exit, safety page). Each is named in its own language for the switch.
LANGUAGES = [
    ("ru", "Русский"),
    ("kk", "Қазақша"),
    ("ky", "Кыргызча"),
    ("uz", "Oʻzbekcha"),
    ("tg", "Тоҷикӣ"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "centres" / "locale"]
# Texts of the data kept per language (centres/translation.py): a column per language, Russian the main one; a page
# in a language nobody has written the text in shows the Russian, else the English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ru"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ru", "en")
FORMAT_MODULE_PATH = ["directory.formats"]  # Kazakh dates, which Django does not ship
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="Asia/Almaty")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. HTTPS settings are on unless DEBUG; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer asks each node for /healthz over plain HTTP, behind the TLS-terminating proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# In production the cookies carry the __Host- prefix: the browser takes them only over HTTPS, for this host alone
# (never a parent domain), for every path.
if not DEBUG:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Messages (logged-in people only) live in the session: no cookie of their own, so every cookie is a __Host- one.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
X_FRAME_OPTIONS = "DENY"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Imports (centres/imports.py, centres/spreadsheets.py): what a file may hold before it is refused, with a message.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_MB", default=20) * 1024 * 1024
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20000)
IMPORT_MAX_CELL = env.int("IMPORT_MAX_CELL", default=500)  # characters in a cell, notes apart
IMPORT_MAX_NOTES = env.int("IMPORT_MAX_NOTES", default=5000)  # characters in a notes cell
IMPORT_MAX_PHONES = env.int("IMPORT_MAX_PHONES", default=10)  # phone numbers of one centre

# Where quick exit sends a visitor (DESIGN.md section 6).
QUICK_EXIT_URL = env("QUICK_EXIT_URL", default="https://www.google.com/search?q=weather")

# Error reports leave out GET parameters and the query string (DESIGN.md section 6).
DEFAULT_EXCEPTION_REPORTER = "centres.errors.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "centres.errors.PrivateExceptionReporterFilter"

# Logs (centres/logs.py, directory/log_format.py): one line a request, by path only; `json`: one JSON object a line.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"private": {"()": "directory.log_format.PrivateRecords"}},
    "formatters": {"line": {"()": f"directory.log_format.{'Json' if LOG_FORMAT == 'json' else 'Plain'}Formatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["private"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's and the development server's request logs would carry query strings (a survivor's search):
        # requests are logged by centres.logs.RequestLogMiddleware, by path only.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        # Django's own handlers (a console one when DEBUG is on, in its own format) give way to ours, at the root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Every scanner's unknown Host, with a traceback: the request's own line says 400 (directory/log_format.py).
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
        "centres.requests": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
