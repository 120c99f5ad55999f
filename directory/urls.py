from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from centres import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("exit/", views.quick_exit, name="quick_exit"),
]
urlpatterns += i18n_patterns(
    path("", include("centres.urls")),
    prefix_default_language=True,
)

handler404 = "centres.views.not_found"
