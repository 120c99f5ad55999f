from django.contrib.auth import views as auth_views
from django.urls import path

from centres import second_factor, staff
from centres.advocacy import views as advocacy
from centres.open_data import package
from centres.open_data import views as open_data
from centres.public import corrections
from centres.public import views as public

app_name = "centres"
urlpatterns = [
    path("", public.home, name="home"),
    path("centres/", public.centre_list, name="centre_list"),
    path("centres/export.csv", public.centre_export, {"format": "csv"}, name="centre_export_csv"),
    path("centres/export.json", public.centre_export, {"format": "json"}, name="centre_export_json"),
    path("centres/<slug:slug>/", public.centre_detail, name="centre_detail"),
    path("centres/<slug:slug>/correction/", corrections.correction_form, name="correction"),
    path("centres/<slug:slug>/correction/thanks/", corrections.correction_thanks, name="correction_thanks"),
    path("countries/<str:code>/", public.country_detail, name="country"),
    path("safety/", public.safety, name="safety"),
    path("open-data/", open_data.open_data, name="open_data"),
    path("open-data/hsds.zip", package.hsds_zip, name="open_data_hsds"),
    path("at-risk/", advocacy.at_risk_list, name="at_risk"),
    path("at-risk/export.csv", advocacy.at_risk_export, {"format": "csv"}, name="at_risk_export_csv"),
    path("at-risk/export.xlsx", advocacy.at_risk_export, {"format": "xlsx"}, name="at_risk_export_xlsx"),
    path("at-risk/export.json", advocacy.at_risk_export, {"format": "json"}, name="at_risk_export_json"),
    path("at-risk/what-if/", advocacy.what_if_page, name="what_if"),
    path("at-risk/<slug:slug>/dossier/", advocacy.centre_dossier, name="dossier"),
    path("at-risk/what-if/export.csv", advocacy.what_if_export, {"format": "csv"}, name="what_if_export_csv"),
    path("at-risk/what-if/export.xlsx", advocacy.what_if_export, {"format": "xlsx"}, name="what_if_export_xlsx"),
    path("at-risk/what-if/export.json", advocacy.what_if_export, {"format": "json"}, name="what_if_export_json"),
    path("dashboard/", advocacy.dashboard, name="dashboard"),
    path("coverage/", advocacy.coverage, name="coverage"),
    path("staff/", staff.places_tonight, name="staff"),
    path("login/", public.LoginView.as_view(), name="login"),
    path("second-factor/", second_factor.verify, name="second_factor"),
    path("second-factor/enrol/", second_factor.enrol, name="second_factor_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
