from django.urls import path

from homeward.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:fmt>", views.export, name="export"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/complaints/<int:pk>/", views.complaint_handle, name="complaint-handle"),
    path("safety/", views.safety, name="safety"),
    path("safety/<int:pk>/", views.safety_check, name="safety-check"),
    path("safety/overdue/", views.overdue_fragment, name="overdue"),
]
