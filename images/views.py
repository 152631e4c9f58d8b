from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.images import access_image, containers_using_image, visible_images
from dashboard.actions import images as actions
from dashboard.engine import images as engine_images
from dashboard.engine.errors import EngineError
from dashboard.web.object_actions import perform
from images import updates
from images.access import visible_push_jobs
from images.forms import TagForm
from images.listing import list_context

RECENT_PUSHES = 5


def image_list(request: HttpRequest) -> HttpResponse:
    """`docker images`: one engine call, nothing per image."""
    context = list_context(visible_images(request.user), request.GET)
    template = "images/list.html#listing" if request.htmx else "images/list.html"
    return render(request, template, context)


def image_detail(request: HttpRequest, ref: str, tag_form: TagForm | None = None) -> HttpResponse:
    """`docker image inspect` and `docker history`, and the containers made from the image."""
    image = access_image(request.user, ref)
    context = {
        "image": image,
        "history": engine_images.image_history(image["Id"]),
        "containers": containers_using_image(request.user, image["Id"]),
        "pushes": visible_push_jobs(request.user).filter(image_id=image["Id"])[:RECENT_PUSHES],
        "tag_form": tag_form or TagForm(),
    }
    return render(request, "images/detail.html", context, status=400 if tag_form else 200)


@require_POST
def image_action(request: HttpRequest, ref: str) -> HttpResponse:
    return perform(
        request, {"tag": lambda: _tag(request, ref), "remove": lambda: _remove(request, ref)}
    )


def _tag(request: HttpRequest, ref: str) -> HttpResponse:
    form = TagForm(request.POST)
    if not form.is_valid():
        return image_detail(request, ref, tag_form=form)
    try:
        messages.success(request, actions.tag(request.user, ref, form.cleaned_data["target"]))
    except EngineError as exc:
        messages.error(request, exc.message)
    return redirect("images:detail", ref)


def _remove(request: HttpRequest, ref: str) -> HttpResponse:
    """Untag one tag (``name``) or remove the image; a conflict is explained on its page."""
    target = request.POST.get("name") or ref
    try:
        messages.success(
            request, actions.remove(request.user, target, force="force" in request.POST)
        )
    except EngineError as exc:
        messages.error(request, exc.message)
        return redirect("images:detail", ref)
    try:
        access_image(request.user, ref)
    except EngineError:
        return redirect("images:list")
    return redirect("images:detail", ref)


@require_POST
def image_updates(request: HttpRequest) -> HttpResponse:
    """Ask every tag's registry which image the tag names now; the list marks the outdated."""
    counts = updates.check(request.user, visible_images(request.user))
    asked = sum(counts.values())
    if not asked:
        messages.info(request, _("No tag here came from a registry: there is nothing to ask."))
    else:
        done = ngettext(
            "Asked the registry of %(asked)d tag: %(outdated)d with an update, %(current)d up "
            "to date, %(failed)d not answered.",
            "Asked the registries of %(asked)d tags: %(outdated)d with an update, %(current)d "
            "up to date, %(failed)d not answered.",
            asked,
        )
        messages.success(request, done % {"asked": asked, **counts})
    return redirect("images:list")


@require_http_methods(["GET", "POST"])
def image_prune(request: HttpRequest) -> HttpResponse:
    """`docker image prune`: first what would go and the space it frees, then the real thing."""
    label = (request.POST if request.method == "POST" else request.GET).get("label", "").strip()
    if request.method == "POST":
        deleted, reclaimed, command = actions.prune(request.user, label)
        return render(
            request,
            "images/prune.html",
            {"deleted": deleted, "reclaimed": reclaimed, "command": command, "done": True},
        )
    dangling = actions.dangling_images(visible_images(request.user), label)
    context = {
        "dangling": dangling,
        "reclaimable": sum(i.get("Size", 0) for i in dangling),
        "label": label,
    }
    return render(request, "images/prune.html", context)
