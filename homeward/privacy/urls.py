from django.urls import path

from homeward.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("reports/<int:pk>/data", views.report_export_view, name="report-export"),
    path("reports/<int:pk>/erase/", views.report_erase_view, name="report-erase"),
    path("people/<int:pk>/data", views.person_export_view, name="person-export"),
    path("people/<int:pk>/erase/", views.person_erase_view, name="person-erase"),
]
