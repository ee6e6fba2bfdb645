from django.urls import path

from homeward.tracing import views

app_name = "tracing"
urlpatterns = [
    path("", views.home, name="home"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/photos/<int:photo>", views.report_photo, name="report-photo"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("reunions/<int:pk>/", views.reunion_detail, name="reunion-detail"),
    path("people/<int:pk>/", views.person, name="person"),
]
