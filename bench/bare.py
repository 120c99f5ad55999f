"""A bare Django project, the reference of `make load`'s `--overhead` mode: what `django-admin startproject` makes
(its middleware and apps), with one view rendering one small template and no database query. Served by gunicorn as
`bench.bare:application`; never part of the site."""

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.shortcuts import render
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-reference-only",  # noqa: S106
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"page.html": "<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1><p>{{ text }}</p>"},
                    )
                ]
            },
        }
    ],
    USE_I18N=True,
)
django.setup()


def page(request):
    return render(request, "page.html", {"title": "Safety", "text": "A page made from a template alone."})


urlpatterns = [path("", page)]
application = get_wsgi_application()
