from django.urls import path

from homeward.portal import views, views_alerts

app_name = "portal"
urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("notices/<uuid:public_id>/", views.notice_detail, name="notice"),
    path("notices/<uuid:public_id>/photo", views.notice_photo, name="notice-photo"),
    path("notices/<uuid:public_id>/poster/", views.notice_poster, name="notice-poster"),
    path("signup/", views.signup, name="signup"),
    path("verify/", views.verify, name="verify"),
    path("report/", views.report, name="report"),
    path("me/", views.me, name="me"),
    path("alerts/", views_alerts.subscriptions, name="alerts"),
    path("alerts/unsubscribe/<str:token>/", views_alerts.unsubscribe, name="alerts-unsubscribe"),
]
