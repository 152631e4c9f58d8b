"""The pull pages: the form and recent pulls, one job's live progress, cancel and retry."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import access_pull_job
from images import pulls
from images.forms import PullForm
from images.models import PullJob

RECENT = 50


@require_http_methods(["GET", "POST"])
def pull_form(request: HttpRequest) -> HttpResponse:
    form = PullForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
    if request.method == "POST" and form.is_valid():
        job = pulls.request_pull(
            request.user, form.cleaned_data["reference"], form.cleaned_data["platform"]
        )
        return redirect("images:pull_job", job.pk)
    pulls.mark_stale_jobs_interrupted()
    context = {"form": form, "jobs": PullJob.objects.select_related("requested_by")[:RECENT]}
    status = 400 if request.method == "POST" else 200
    return render(request, "images/pull.html", context, status=status)


def pull_job(request: HttpRequest, job_id: str) -> HttpResponse:
    pulls.mark_stale_jobs_interrupted()
    job = access_pull_job(request.user, job_id)
    if request.htmx and job.container_id:  # `docker run` went on: open what it made
        response = HttpResponse(status=204)
        response["HX-Redirect"] = container_destination(job)
        return response
    context = {
        "job": job,
        "command": pulls.pull_command(job),
        "next_url": container_destination(job),
    }
    template = "images/pull_job.html#progress" if request.htmx else "images/pull_job.html"
    return render(request, template, context)


def container_destination(job: PullJob) -> str:
    if not job.container_id:
        return ""
    form = job.then_create["form"]
    name = (
        "terminal"
        if job.then_create["run"] and form.get("interactive") and form.get("tty")
        else "detail"
    )
    return reverse(f"containers:{name}", args=[job.container_id])


@require_POST
def pull_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access_pull_job(request.user, job_id)
    pulls.cancel(job)
    return redirect("images:pull_job", job.pk)


@require_POST
def pull_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access_pull_job(request.user, job_id)
    return redirect("images:pull_job", pulls.retry(request.user, job).pk)


@require_POST
def pull_prune(request: HttpRequest) -> HttpResponse:
    removed = pulls.prune_finished(timedelta(days=7))
    messages.success(
        request, _("Removed %(count)d finished pulls older than a week.") % {"count": removed}
    )
    return redirect("images:pull")
