"""The alerts page: what fired and when it was resolved, the rules, and a rule's page with its
delivery log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.roles import grants_for
from dashboard.engine.errors import Denied
from stats import alert_actions
from stats.alert_access import access_rule, managed_rules, may_manage_rules, visible_alerts
from stats.alert_forms import AlertRuleForm
from stats.models import AlertDelivery

PER_PAGE = 50


@require_http_methods(["GET", "POST"])
def alert_list(request: HttpRequest) -> HttpResponse:
    if not grants_for(request.user).has_team:
        return render(request, "dashboard/no_team.html")
    manage = may_manage_rules(request.user)
    if request.method == "POST" and not manage:
        raise Denied(_("Only instructors and administrators make alert rules."))
    form = AlertRuleForm(request.user, request.POST or None) if manage else None
    if form is not None and form.is_bound and form.is_valid():
        rule = alert_actions.save_rule(request.user, form)
        messages.success(request, _("Made the alert rule %(name)s.") % {"name": rule.name})
        return redirect("alerts:rule", rule.pk)
    alerts = visible_alerts(request.user).order_by("-fired_at")
    history = Paginator(alerts.exclude(resolved_at=None), PER_PAGE)
    rules = managed_rules(request.user).select_related("team").order_by("name")
    context = {
        "firing": alerts.filter(resolved_at=None)[:PER_PAGE],
        "page": history.get_page(request.GET.get("page")),
        "params": request.GET,
        "rules": rules if manage else [],
        "form": form,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "stats/alerts.html", context, status=status)


@require_http_methods(["GET", "POST"])
def rule_detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = access_rule(request.user, rule_id)
    form = AlertRuleForm(request.user, request.POST or None, instance=rule)
    if form.is_bound and form.is_valid():
        alert_actions.save_rule(request.user, form)
        messages.success(request, _("Saved the alert rule %(name)s.") % {"name": rule.name})
        return redirect("alerts:rule", rule.pk)
    deliveries = AlertDelivery.objects.filter(alert__rule=rule).select_related("alert")
    context = {"rule": rule, "form": form, "deliveries": deliveries.order_by("-pk")[:PER_PAGE]}
    return render(request, "stats/alert_rule.html", context, status=400 if form.errors else 200)


@require_POST
def rule_secret(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = access_rule(request.user, rule_id)
    alert_actions.new_secret(request.user, rule)
    messages.success(request, _("The webhook has a new secret: the old one no longer signs."))
    return redirect("alerts:rule", rule.pk)


@require_POST
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = access_rule(request.user, rule_id)
    alert_actions.remove_rule(request.user, rule)
    messages.success(request, _("Removed the alert rule %(name)s.") % {"name": rule.name})
    return redirect("alerts:list")
