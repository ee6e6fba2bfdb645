from django.urls import path

from homeward.portal import views, views_alerts, views_family

app_name = "portal"
urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("notices/<uuid:public_id>/", views.notice_detail, name="notice"),
    path("notices/<uuid:public_id>/photo", views.notice_photo, name="notice-photo"),
    path("notices/<uuid:public_id>/poster/", views.notice_poster, name="notice-poster"),
    path("signup/", views_family.signup, name="signup"),
    path("verify/", views_family.verify, name="verify"),
    path("reset/", views_family.reset, name="reset"),
    path("reset/code/", views_family.reset_code, name="reset-code"),
    path("phone/", views_family.phone, name="phone"),
    path("report/", views_family.report, name="report"),
    path("me/", views_family.me, name="me"),
    path("me/<uuid:public_id>/", views_family.my_report, name="my-report"),
    path("me/<uuid:public_id>/data", views_family.my_report_data, name="my-report-data"),
    path("me/<uuid:public_id>/erase/", views_family.my_report_erase, name="my-report-erase"),
    path("alerts/", views_alerts.subscriptions, name="alerts"),
    path("alerts/unsubscribe/<str:token>/", views_alerts.unsubscribe, name="alerts-unsubscribe"),
]
