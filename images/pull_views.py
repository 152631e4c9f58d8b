"""The pull pages: the form and recent pulls, one job's live progress, cancel and retry."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.policy import registry_logins
from dashboard.policy.refusals import PolicyRefusal
from dashboard.web.object_actions import perform
from images import pulls
from images.access import access_pull_job, visible_pull_jobs
from images.forms import PullForm
from images.models import PullJob

RECENT = 50


@require_http_methods(["GET", "POST"])
def pull_form(request: HttpRequest) -> HttpResponse:
    form = PullForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
    if request.method == "POST" and form.is_valid():
        try:
            job = pulls.request_pull(
                request.user, form.cleaned_data["reference"], form.cleaned_data["platform"]
            )
        except PolicyRefusal as refusal:
            form.add_error("reference", refusal.message)
        else:
            return redirect("images:pull_job", job.pk)
    jobs = [job.seen_now() for job in visible_pull_jobs(request.user)[:RECENT]]
    context = {"form": form, "jobs": jobs, "logins": registry_logins.registries_for(request.user)}
    status = 400 if request.method == "POST" else 200
    return render(request, "images/pull.html", context, status=status)


def pull_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access_pull_job(request.user, job_id).seen_now()
    if request.htmx and job.next_url:  # the follow-up (`docker run`) is done: go on
        response = HttpResponse(status=204)
        response["HX-Redirect"] = job.next_url
        return response
    context = {"job": job, "command": pulls.pull_command(job)}
    template = "images/pull_job.html#progress" if request.htmx else "images/pull_job.html"
    return render(request, template, context)


@require_POST
def pull_action(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access_pull_job(request.user, job_id)
    return perform(request, {"cancel": lambda: _cancel(job), "retry": lambda: _retry(request, job)})


def _cancel(job: PullJob) -> HttpResponse:
    pulls.cancel(job)
    return redirect("images:pull_job", job.pk)


def _retry(request: HttpRequest, job: PullJob) -> HttpResponse:
    try:
        return redirect("images:pull_job", pulls.retry(request.user, job).pk)
    except PolicyRefusal as refusal:
        messages.error(request, refusal.message)
        return redirect("images:pull_job", job.pk)


@require_POST
def pull_prune(request: HttpRequest) -> HttpResponse:
    removed = pulls.prune_finished(visible_pull_jobs(request.user), timedelta(days=7))
    messages.success(
        request, _("Removed %(count)d finished pulls older than a week.") % {"count": removed}
    )
    return redirect("images:pull")
