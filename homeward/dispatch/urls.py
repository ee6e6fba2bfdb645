from django.urls import path

from homeward.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.command_center, name="center"),
    path("board/", views.board, name="board"),
    path("map.json", views.map_data, name="map-data"),
    path("new/", views.incident_new, name="new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("team/", views.team_page, name="team"),
    path("drafts/", views.drafts, name="drafts"),
    path("report/", views.public_report, name="public-report"),
]
