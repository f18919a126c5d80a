"""Tillit settings: one file, read from the environment, safe defaults.

The embedded default (no configuration) runs on SQLite in WAL mode under
TILLIT_DATA_DIR. With DEBUG off, a missing secret stops start-up with a clear
message. Every variable is listed in .env.example and docs/configuration.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tillit.lib.env import env, env_bool, env_int, env_secret
from tillit.lib.paths import data_dir

BASE_DIR = Path(__file__).resolve().parent.parent  # src/tillit
DATA_DIR = data_dir()
# Everything the installation writes (database, snapshots, uploads, case files, keys) is for its own
# user only: files 0600, folders 0700, also for what was written before this setting existed.
os.umask(0o077)
DATA_DIR.chmod(0o700)
for _private_file in DATA_DIR.glob("tillit.sqlite3*"):
    _private_file.chmod(0o600)

DEBUG = env_bool("TILLIT_DEBUG", False)
DEMO_MODE = env_bool("TILLIT_DEMO_MODE", False)

SECRET_KEY = env_secret("TILLIT_SECRET_KEY")
if not SECRET_KEY:
    if env_secret("TILLIT_DATABASE_URL"):
        # A production installation must be given its key explicitly.
        raise ImproperlyConfigured(
            "TILLIT_SECRET_KEY is not set. Set it (or TILLIT_SECRET_KEY_FILE) when TILLIT_DATABASE_URL is used."
        )
    # The embedded default keeps a generated key in its own data directory.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = [
    h.strip()
    for h in env("TILLIT_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("TILLIT_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "tillit.accounts",
    "tillit.datasets",
    "tillit.controls",
    "tillit.cases",
    "tillit.reports",
    "tillit.tips",
    "tillit.risks",
    "tillit.plans",
    "tillit.sampling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tillit.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "tillit.accounts.middleware.PersonalDataMiddleware",
]

ROOT_URLCONF = "tillit.config.urls"
WSGI_APPLICATION = "tillit.config.wsgi.application"

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
                "tillit.accounts.context_processors.navigation",
            ],
            "builtins": ["tillit.lib.templatetags.sv"],
        },
    }
]

# --- Database: SQLite (WAL) under the data directory, or TILLIT_DATABASE_URL -------------
DATABASE_URL = env_secret("TILLIT_DATABASE_URL")
if DATABASE_URL:
    # health checks: a connection kept across a PostgreSQL restart is tested and replaced before use,
    # so the application recovers by itself instead of failing the first request on each thread
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "tillit.sqlite3",
            "OPTIONS": {
                # WAL lets the web server read while the worker writes
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env("TILLIT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Authentication ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts-login"
LOGIN_REDIRECT_URL = "reports-overview"
LOGOUT_REDIRECT_URL = "accounts-login"


def _require_set(switch: str, *values: tuple[str, str | None]) -> None:
    """Start-up stops, naming each one, when `switch` is on and a variable it needs is not set."""
    missing = [name for name, value in values if not value]
    if missing:
        raise ImproperlyConfigured(f"{switch} is on but these are not set: " + ", ".join(missing))


# Single sign-on with the municipality's identity provider: OpenID Connect (mozilla-django-oidc,
# tillit/accounts/oidc.py), off by default. A person is matched to an existing, active Tillit user
# by one claim; the role comes from Tillit's user table and the second factor is still asked.
OIDC_ENABLED = env_bool("TILLIT_OIDC_ENABLED", False)
OIDC_OP_ISSUER = env("TILLIT_OIDC_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("TILLIT_OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env("TILLIT_OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env("TILLIT_OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env("TILLIT_OIDC_JWKS_ENDPOINT")
OIDC_RP_CLIENT_ID = env("TILLIT_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_secret("TILLIT_OIDC_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env("TILLIT_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env("TILLIT_OIDC_SCOPES", "openid email profile")
OIDC_USER_CLAIM = env("TILLIT_OIDC_CLAIM", "email")
OIDC_USER_FIELD = env("TILLIT_OIDC_USER_FIELD", "email")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts-oidc-callback"
if OIDC_ENABLED:
    _require_set(
        "TILLIT_OIDC_ENABLED",
        ("TILLIT_OIDC_ISSUER", OIDC_OP_ISSUER),
        ("TILLIT_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
        ("TILLIT_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
        ("TILLIT_OIDC_USERINFO_ENDPOINT", OIDC_OP_USER_ENDPOINT),
        ("TILLIT_OIDC_JWKS_ENDPOINT", OIDC_OP_JWKS_ENDPOINT),
        ("TILLIT_OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
        ("TILLIT_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
    )
    if OIDC_USER_FIELD not in ("email", "username"):
        raise ImproperlyConfigured("TILLIT_OIDC_USER_FIELD must be email or username")
    if not OIDC_RP_SIGN_ALGO.startswith(("RS", "PS", "ES")):
        raise ImproperlyConfigured(
            "TILLIT_OIDC_SIGN_ALGO must be the provider's public-key algorithm (RS256, ES256 …)"
        )
    AUTHENTICATION_BACKENDS.append("tillit.accounts.oidc.OIDCBackend")

# Single sign-on over SAML 2.0 (Sambi, Entra ID, a municipality's own IdP): djangosaml2 and pysaml2
# (tillit/accounts/saml.py), off by default. Same rules as OpenID Connect: an existing, active Tillit
# user matched by one attribute, Tillit's second factor still asked; the role and municipality come
# from Tillit's user table unless TILLIT_SAML_ROLE_ATTRIBUTE / TILLIT_SAML_MUNICIPALITY_ATTRIBUTE
# hand them to the identity provider. The signature check needs the xmlsec1 program.
SAML_ENABLED = env_bool("TILLIT_SAML_ENABLED", False)
SAML_IDP_METADATA_FILE = env("TILLIT_SAML_IDP_METADATA_FILE")
SAML_IDP_METADATA_URL = env("TILLIT_SAML_IDP_METADATA_URL")
SAML_SP_ENTITY_ID = env("TILLIT_SAML_SP_ENTITY_ID")
SAML_SP_KEY_FILE = env("TILLIT_SAML_SP_KEY_FILE")
SAML_SP_CERT_FILE = env("TILLIT_SAML_SP_CERT_FILE")
SAML_USER_ATTRIBUTE = env("TILLIT_SAML_USER_ATTRIBUTE", "mail")
SAML_USER_FIELD = env("TILLIT_SAML_USER_FIELD", "email")
SAML_ROLE_ATTRIBUTE = env("TILLIT_SAML_ROLE_ATTRIBUTE")
SAML_ROLES = env("TILLIT_SAML_ROLES")
SAML_MUNICIPALITY_ATTRIBUTE = env("TILLIT_SAML_MUNICIPALITY_ATTRIBUTE")
SAML_XMLSEC_BINARY = env("TILLIT_SAML_XMLSEC_BINARY")
# djangosaml2: the SP configuration comes from tillit.accounts.saml.sp_config (per address), the
# AuthnRequest goes by HTTP-Redirect (no page with a script), users are never created
SAML_CONFIG_LOADER = "tillit.accounts.saml.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CREATE_UNKNOWN_USER = False
SAML_SESSION_COOKIE_NAME = "tillit_saml"
if SAML_ENABLED:
    _require_set(
        "TILLIT_SAML_ENABLED",
        (
            "TILLIT_SAML_IDP_METADATA_FILE or TILLIT_SAML_IDP_METADATA_URL",
            SAML_IDP_METADATA_FILE or SAML_IDP_METADATA_URL,
        ),
        ("TILLIT_SAML_SP_ENTITY_ID", SAML_SP_ENTITY_ID),
    )
    if SAML_USER_FIELD not in ("email", "username"):
        raise ImproperlyConfigured("TILLIT_SAML_USER_FIELD must be email or username")
    if bool(SAML_SP_KEY_FILE) != bool(SAML_SP_CERT_FILE):
        raise ImproperlyConfigured(
            "TILLIT_SAML_SP_KEY_FILE and TILLIT_SAML_SP_CERT_FILE go together"
        )
    if SAML_ROLE_ATTRIBUTE and not SAML_ROLES:
        raise ImproperlyConfigured(
            "TILLIT_SAML_ROLE_ATTRIBUTE is set but TILLIT_SAML_ROLES is not (value=role,…)"
        )
    # TILLIT_SAML_ROLES itself is checked against Tillit's roles at start-up (accounts/apps.py)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "djangosaml2.middleware.SamlSessionMiddleware",
    )
    AUTHENTICATION_BACKENDS.append("tillit.accounts.saml.SAMLBackend")

# Lockout after repeated failures (django-axes): per user name and address.
AXES_FAILURE_LIMIT = env_int("TILLIT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TILLIT_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# the client's address from the trusted proxy's X-Forwarded-For only when TILLIT_BEHIND_PROXY is set
AXES_CLIENT_IP_CALLABLE = "tillit.accounts.network.client_ip"

OTP_TOTP_ISSUER = "Tillit"

# Sessions expire after inactivity, and always when the browser closes.
SESSION_COOKIE_AGE = env_int("TILLIT_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers ---------------------------------------------------------------------
HTTPS = env_bool("TILLIT_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# a load balancer or monitor may probe /health over plain HTTP on the internal network
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
BEHIND_PROXY = env_bool("TILLIT_BEHIND_PROXY", False)
TRUSTED_PROXIES = {
    p.strip() for p in env("TILLIT_TRUSTED_PROXY", "127.0.0.1").split(",") if p.strip()
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Language ---------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Stockholm"
LANGUAGE_COOKIE_NAME = "tillit_language"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the package; this only silences its check
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve from the package without a collectstatic step
MEDIA_ROOT = DATA_DIR / "files"
SNAPSHOT_DIR = DATA_DIR / "snapshots"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A larger upload is spooled to a file while it arrives: in the data directory (0700), not the
# system's /tmp, so that what a killed process leaves there is removed by the recovery at start-up
# (accounts.jobs.clean_files) rather than kept, with personal data, outside every retention rule.
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(mode=0o700, exist_ok=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tillit.lib.logging.JsonFormatter"}},
    # no client address in any log line (the tips pages promise none is stored)
    "filters": {"no_client_address": {"()": "tillit.tips.logfilter.NoClientAddress"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["no_client_address"],
        }
    },
    "root": {"handlers": ["console"], "level": env("TILLIT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "py4j": {"level": "WARNING"},
    },
}
