"""The push pages: ask for one from an image's page, follow its output, cancel it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dashboard.engine.errors import EngineError
from images import pushes
from images.access import access_push_job


@require_POST
def push_request(request: HttpRequest, ref: str) -> HttpResponse:
    """`docker push` of one of the image's names: queued and followed on its page; a refusal
    is shown on the image's page."""
    try:
        job = pushes.request_push(request.user, request.POST.get("name", "").strip())
    except EngineError as error:
        messages.error(request, error.message)
        return redirect("images:detail", ref)
    return redirect("images:push_job", job.pk)


def push_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """The push's state and output; a page that polls gets the output part alone."""
    job = access_push_job(request.user, job_id)
    template = "images/push_job.html#output" if request.htmx else "images/push_job.html"
    return render(request, template, {"job": job})


@require_POST
def push_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    pushes.cancel(access_push_job(request.user, job_id))
    return redirect("images:push_job", job_id)
