from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from homeward.accounts import views as accounts_views
from homeward.api import api
from homeward.stations import views as stations_views
from homeward.web import views as web_views

urlpatterns = [
    path("", web_views.dashboard, name="dashboard"),
    path("login/", accounts_views.SignIn.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("s/<slug:key>/", web_views.domain_section, name="section"),
    path("stations/", stations_views.station_list, name="station-list"),
    path("stations/<int:pk>/", stations_views.station_detail, name="station-detail"),
    path("cases/", include("homeward.cases.urls")),
    path("dispatch/", include("homeward.dispatch.urls")),
    path("campaigns/", include("homeward.campaigns.urls")),
    path("tracing/", include("homeward.tracing.urls")),
    path("reports/", include("homeward.reports.urls")),
    path("p/", include("homeward.portal.urls")),
    path("privacy/", include("homeward.privacy.urls")),
    path("audit/", accounts_views.audit_list, name="audit-list"),
    path("account/tokens/", accounts_views.tokens, name="account-tokens"),
    path("jobs/", web_views.job_failures, name="job-failures"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

# A database that cannot be reached answers 503 with what to do, not a bare 500.
handler500 = "homeward.web.views.server_error"
