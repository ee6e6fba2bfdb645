from django.urls import path

from homeward.cases import views, views_longstay

app_name = "cases"
urlpatterns = [
    path("", views.stay_list, name="stay-list"),
    path("intake/", views.intake, name="intake"),
    path("intake/earlier/", views.earlier_records, name="earlier"),
    path("night/", views.night_duty, name="night"),
    path("stays/<int:pk>/", views.stay_detail, name="stay-detail"),
    path("stays/<int:pk>/exit/", views.stay_exit, name="stay-exit"),
    path("stays/<int:pk>/registration.pdf", views.registration_form, name="registration-form"),
    path("stays/<int:pk>/handover.pdf", views.handover_sheet, name="handover-sheet"),
    path("stays/<int:pk>/settlement/", views_longstay.settlement, name="settlement"),
    path("stays/<int:pk>/outsourced/", views_longstay.outsourced, name="outsourced"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer-receive"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/photo", views.person_photo, name="person-photo"),
    path("people/<int:pk>/photos/<int:photo>", views.person_photo_one, name="person-photo-one"),
    path("people/<int:pk>/photos/add/", views.person_photo_add, name="person-photo-add"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
]
