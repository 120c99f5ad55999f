from django.urls import path

from centres import advocacy, dashboard, views

app_name = "centres"
urlpatterns = [
    path("", views.home, name="home"),
    path("centres/", views.centre_list, name="centre_list"),
    path("centres/export.csv", views.centre_export, {"format": "csv"}, name="centre_export_csv"),
    path("centres/export.json", views.centre_export, {"format": "json"}, name="centre_export_json"),
    path("centres/<slug:slug>/", views.centre_detail, name="centre_detail"),
    path("countries/<str:code>/", views.country_detail, name="country"),
    path("safety/", views.safety, name="safety"),
    path("at-risk/", advocacy.at_risk_list, name="at_risk"),
    path("at-risk/export.csv", advocacy.at_risk_export, {"format": "csv"}, name="at_risk_export_csv"),
    path("at-risk/export.xlsx", advocacy.at_risk_export, {"format": "xlsx"}, name="at_risk_export_xlsx"),
    path("at-risk/export.json", advocacy.at_risk_export, {"format": "json"}, name="at_risk_export_json"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
