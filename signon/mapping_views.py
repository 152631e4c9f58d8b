"""/signon/groups/: which provider groups make administrators and give roles in teams
(administrators only). The configuration's rules are shown beside the page's own."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboard.access.roles import require_administrator
from dashboard.actions import audit
from signon.forms import GroupMappingForm
from signon.groups import configured_rules
from signon.models import GroupMapping


def _administrators_only(request: HttpRequest, action: str) -> None:
    with audit.denials_recorded(request.user, action, target_kind="sign-on"):
        require_administrator(request.user, _("Only administrators map groups."))


def _audited(request: HttpRequest, action: str, rule: GroupMapping) -> None:
    audit.record(
        request.user, action, target_kind="sign-on", target_name=rule.group,
        team_id=rule.team_id, reason=str(rule),
    )  # fmt: skip


def group_list(request: HttpRequest) -> HttpResponse:
    _administrators_only(request, "sso-mapping-read")
    form = GroupMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _audited(request, "sso-mapping-add", form.save())
        messages.success(request, _("Rule added. It applies at each person's next sign-in."))
        return redirect("signon:groups")
    context = {
        "form": form,
        "rules": GroupMapping.objects.select_related("team"),
        "configured": configured_rules(),
        "sign_on": " · ".join(
            name
            for name, on in (
                (settings.DOCKBOARD_OIDC_NAME, settings.DOCKBOARD_OIDC_ISSUER),
                (_("the LDAP directory"), settings.DOCKBOARD_LDAP_URI),
            )
            if on
        ),
    }
    return render(request, "signon/groups.html", context, status=400 if form.errors else 200)


@require_POST
def group_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    _administrators_only(request, "sso-mapping-remove")
    rule = get_object_or_404(GroupMapping, pk=rule_id)
    rule.delete()
    _audited(request, "sso-mapping-remove", rule)
    messages.success(request, _("Rule removed. It applies at each person's next sign-in."))
    return redirect("signon:groups")
