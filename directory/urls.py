from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from centres import health
from centres.public import robots, sitemaps
from centres.public import views as public

urlpatterns = [
    path("admin/", admin.site.urls),
    path("exit/", public.quick_exit, name="quick_exit"),
    path("healthz", health.healthz, name="healthz"),  # for load balancers (centres/health.py)
    # The open-data API answers in JSON at one address for every language (centres/open_data/api.py).
    path("api/", include("centres.open_data.urls")),
    # For crawlers, at the addresses they look for: one document for every language (centres/public/sitemaps.py).
    path("robots.txt", robots.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
]
urlpatterns += i18n_patterns(
    path("", include("centres.urls")),
    prefix_default_language=True,
)

handler404 = "centres.public.views.not_found"
