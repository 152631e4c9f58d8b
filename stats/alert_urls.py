from django.urls import path

from stats import alert_views

app_name = "alerts"
urlpatterns = [
    path("", alert_views.alert_list, name="list"),
    path("rules/<int:rule_id>/", alert_views.rule_detail, name="rule"),
    path("rules/<int:rule_id>/secret/", alert_views.rule_secret, name="secret"),
    path("rules/<int:rule_id>/remove/", alert_views.rule_remove, name="remove"),
]
