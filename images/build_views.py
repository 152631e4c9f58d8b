"""The build pages: the form and recent builds, one build's output as it comes, and cancel."""

import contextlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.engine.errors import EngineError
from dashboard.web import uploads
from images import builds
from images.access import access_build_job, visible_build_jobs
from images.build_git import git_context
from images.forms import BuildForm

RECENT = 20


@csrf_exempt  # checked by _build_form, once the body is known to be within the limit
@require_http_methods(["GET", "POST"])
def build_form(request: HttpRequest) -> HttpResponse:
    """`docker build`: refused by the gate in the form, else queued and followed on its page.
    A context above the upload limit is refused before anything reads it."""
    if request.method == "POST" and uploads.too_large(request):
        messages.error(request, uploads.refusal())
        return redirect("images:build")
    return _build_form(request)


@csrf_protect
def _build_form(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = BuildForm.for_user(request.user, data, files=request.FILES or None)
    if data is not None and form.is_valid():
        fields = form.cleaned_data
        try:
            upload, address = fields["context"], "."
            if fields["git_url"]:
                branch = fields["git_branch"] or "main"
                from_git = git_context(fields["git_url"], branch, fields["git_folder"])
                upload, address = from_git.archive, from_git.address
            with contextlib.closing(upload) if upload else contextlib.nullcontext():
                job = builds.request_build(
                    request.user,
                    form.team_id(),
                    fields["tag"],
                    fields["dockerfile"],
                    upload,
                    fields["build_args"],
                    fields["target"].strip(),
                    address,
                )
        except EngineError as error:  # the gate's refusal, an unreadable context, the engine
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            return redirect("images:build_job", job.pk)
    context = {"form": form, "jobs": visible_build_jobs(request.user)[:RECENT]}
    return render(request, "images/build.html", context, status=400 if form.errors else 200)


def build_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """The build's state and output; a page that polls gets the output part alone."""
    job = access_build_job(request.user, job_id)
    template = "images/build_job.html#output" if request.htmx else "images/build_job.html"
    return render(request, template, {"job": job})


@require_POST
def build_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    builds.cancel(access_build_job(request.user, job_id))
    return redirect("images:build_job", job_id)
