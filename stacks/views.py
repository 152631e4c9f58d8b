"""Stacks: `docker-compose -p NAME up -d / ps / stop / restart / logs / down` from the page,
each with its command line. Views validate; ``stacks.deploy`` acts and audits."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.containers import visible_containers
from dashboard.access.roles import Rights, grants_for
from dashboard.engine import current as engine
from dashboard.engine import system as engine_system
from dashboard.engine.errors import EngineError
from dashboard.models import Team
from dashboard.notation import compose_file, compose_project
from dashboard.notation.compose_file import ComposeError
from dashboard.notation.compose_project import PROJECT_LABEL, SERVICE_LABEL, Project
from dashboard.notation.names import container_name
from dashboard.web.object_actions import perform
from stacks import deploy, git_stacks, interleave, tasks
from stacks.access import access_stack, visible_stacks
from stacks.changes import changes
from stacks.forms import GitPollForm, RedeployForm, StackForm
from stacks.models import Stack
from stacks.plan import command_line

EXAMPLE = """services:
  web:
    image: REGISTRY/IMAGE:TAG
    command: ["httpd", "-f", "-p", "8080"]
    ports: ["8080:8080"]
    depends_on: [cache]
  cache:
    image: REGISTRY/IMAGE:TAG
"""


def stack_list(request: HttpRequest) -> HttpResponse:
    """The stacks the user may see, each with its services running of all; for administrators,
    compose projects on the engine that no stack of Dockboard's made (the compose CLI's, another
    installation's)."""
    containers = visible_containers(request.user)
    by_project: dict[str, list[dict[str, Any]]] = {}
    for container in containers:
        if project := (container.get("Labels") or {}).get(PROJECT_LABEL):
            by_project.setdefault(project, []).append(container)
    rows = [
        {
            "stack": stack,
            "running": sum(c["State"] == "running" for c in by_project.get(stack.name, [])),
            "containers": len(by_project.get(stack.name, [])),
        }
        for stack, _rights in visible_stacks(request.user)
    ]
    known = {row["stack"].name for row in rows} | set(Stack.objects.values_list("name", flat=True))
    elsewhere = []
    if grants_for(request.user).admin:
        elsewhere = [
            {"name": name, "containers": found, "services": _services_of(found)}
            for name, found in sorted(by_project.items())
            if name not in known
        ]
    context = {"rows": rows, "elsewhere": elsewhere, "creatable": grants_for(request.user).has_team}
    return render(request, "stacks/list.html", context)


def _services_of(containers: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({(c.get("Labels") or {}).get(SERVICE_LABEL, "?") for c in containers}))


@require_http_methods(["GET", "POST"])
def stack_new(request: HttpRequest) -> HttpResponse:
    """Paste or upload a compose file: checked, then deployed through the gate as a whole."""
    bound = request.method == "POST"
    form = StackForm.for_user(
        request.user,
        request.POST if bound else None,
        files=request.FILES if bound else None,
        initial={"compose": EXAMPLE},
    )
    if bound and form.is_valid():
        data = form.cleaned_data
        team = Team.objects.filter(pk=form.team_id()).first()
        stack = Stack(
            name=data["name"],
            team=team,
            owner=request.user,
            compose=data["compose"],
            env=data["env"],
            git_url=data["git_url"],
            git_branch=data["git_branch"] or "main",
            git_paths=data["git_paths"] or "compose.yaml",
            git_poll_minutes=data["git_poll_minutes"] or 0,
        )
        try:
            if stack.git_url:
                fetched = git_stacks.fetch_for(stack)
                stack.compose, stack.git_commit = fetched.compose, fetched.commit
                git_stacks.give_webhook_secret(stack)
            project = _project(stack.name, stack.compose, stack.env)
            message = deploy.create(request.user, stack, project)
        except ComposeError as error:
            form.add_error("name" if "-p" in error.message else "compose", str(error))
        except EngineError as error:
            form.add_error(getattr(error, "field", None) if stack.git_url else None, error.message)
        else:
            messages.success(request, message)
            return redirect("stacks:detail", stack.name)
    name = form.data.get("name") if bound else ""
    context = {"form": form, "command": command_line(name or "NAME")}
    return render(request, "stacks/new.html", context, status=400 if form.errors else 200)


def _project(name: str, text: str, env: str) -> Project:
    return compose_project.project(name, compose_file.read(text, env))


def stack_detail(request: HttpRequest, name: str) -> HttpResponse:
    """`docker-compose ps`: each service's container, and the file as deployed."""
    stack, rights = access_stack(request.user, name)
    return render(request, "stacks/detail.html", _detail(request, stack, rights))


def _detail(request: HttpRequest, stack: Stack, rights: Rights, **extra: Any) -> dict[str, Any]:
    containers = {container_name(c): c for c in deploy.containers_of(stack)}
    try:
        project = _project(stack.name, stack.compose, stack.env)
    except ComposeError as error:  # a file this release reads differently: shown, not a 500
        project, problem = None, str(error)
    else:
        problem = ""
    services = [
        {"service": s, "container": containers.get(s.container_name)}
        for s in (project.services if project else [])
    ]
    form = extra.pop("form", None) or RedeployForm(
        initial={"compose": stack.compose, "env": stack.env}
    )
    return {
        "stack": stack,
        "services": services,
        "problem": problem,
        "changeable": rights is Rights.WRITE,
        "form": form,
        "webhook": _webhook(request, stack) if rights is Rights.WRITE and stack.git_url else None,
        "poll_form": extra.pop("poll_form", None)
        or GitPollForm(initial={"git_poll_minutes": stack.git_poll_minutes}),
        "commands": {
            action: command_line(stack.name, action)
            for action in ("ps", "pull", "stop", "restart", "down")
        }
        | {"up": command_line(stack.name)},
        **extra,
    }


def _webhook(request: HttpRequest, stack: Stack) -> dict[str, str]:
    path = reverse("stacks:webhook", args=[stack.name])
    return {"url": request.build_absolute_uri(path), "secret": git_stacks.webhook_secret(stack)}


@require_POST
def stack_redeploy(request: HttpRequest, name: str) -> HttpResponse:
    """A new file: first what `up` would change (and why), then, confirmed, the deploy. The
    stack keeps its old file until a deploy of the new one succeeds."""
    stack, rights = access_stack(request.user, name, change=True)
    if "fetch" in request.POST and stack.git_url:
        return _fetched(request, stack, rights)
    form = RedeployForm(request.POST, request.FILES)
    extra: dict[str, Any] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            project = _project(stack.name, data["compose"], data["env"])
            if "deploy" not in request.POST:
                extra["changes"] = _changes(stack, project)
            else:
                stack.compose, stack.env = data["compose"], data["env"]
                stack.git_commit = data["git_commit"] or stack.git_commit
                messages.success(request, deploy.up(request.user, stack, project))
                return redirect("stacks:detail", stack.name)
        except ComposeError as error:
            form.add_error("compose", str(error))
        except EngineError as error:
            form.add_error(None, error.message)
    stack.refresh_from_db()
    status = 400 if form.errors else 200
    return render(
        request, "stacks/detail.html", _detail(request, stack, rights, **extra), status=status
    )


@require_POST
def stack_git_poll(request: HttpRequest, name: str) -> HttpResponse:
    """How often the worker polls the stack's branch."""
    stack, rights = access_stack(request.user, name, change=True)
    form = GitPollForm(request.POST)
    if not stack.git_url:
        raise Http404
    if not form.is_valid():
        context = _detail(request, stack, rights, poll_form=form)
        return render(request, "stacks/detail.html", context, status=400)
    messages.success(
        request, git_stacks.set_poll(request.user, stack, form.cleaned_data["git_poll_minutes"])
    )
    return redirect("stacks:detail", stack.name)


def _fetched(request: HttpRequest, stack: Stack, rights: Rights) -> HttpResponse:
    """The branch's newest files in the form, with what deploying them would change."""
    try:
        fetched = git_stacks.fetch_for(stack)
    except EngineError as error:
        messages.error(request, error.message)
        return redirect("stacks:detail", stack.name)
    data = {"compose": fetched.compose, "env": stack.env, "git_commit": fetched.commit}
    form = RedeployForm(data)
    extra: dict[str, Any] = {"form": form, "fetched": fetched.commit}
    try:
        extra["changes"] = _changes(stack, _project(stack.name, fetched.compose, stack.env))
    except ComposeError as error:
        form.is_valid()
        form.add_error("compose", str(error))
    return render(request, "stacks/detail.html", _detail(request, stack, rights, **extra))


@csrf_exempt
@login_not_required
@require_POST
def stack_webhook(request: HttpRequest, name: str) -> HttpResponse:
    """A Git host's push: signed with the stack's secret, it queues a redeploy by the worker.
    A missing stack and a wrong signature answer alike."""
    stack = Stack.objects.filter(engine=engine.current_name(), name=name).first()
    header = request.headers.get(git_stacks.SIGNATURE_HEADER, "")
    if stack is None or not git_stacks.signed(stack, request.body, header):
        return JsonResponse({"error": "bad signature"}, status=403)
    tasks.redeploy_from_git.enqueue(stack.pk)
    return JsonResponse({"queued": stack.name}, status=202)


def _changes(stack: Stack, project: Project) -> list:
    try:
        old = _project(stack.name, stack.compose, stack.env)
    except ComposeError:
        old = None
    return changes(old, project, deploy.containers_of(stack), engine_system.api_version())


@require_POST
def stack_action(request: HttpRequest, name: str) -> HttpResponse:
    return perform(
        request,
        {
            "up": lambda: _act(request, name, "up"),
            "pull": lambda: _act(request, name, "pull"),
            "stop": lambda: _act(request, name, "stop"),
            "restart": lambda: _act(request, name, "restart"),
            "down": lambda: _act(request, name, "down"),
        },
    )


def _act(request: HttpRequest, name: str, action: str) -> HttpResponse:
    stack, _rights = access_stack(request.user, name, change=True)
    try:
        if action in ("stop", "restart"):
            message = deploy.lifecycle(request.user, stack, action)
        else:
            project = _project(stack.name, stack.compose, stack.env)
            if action == "up":
                message = deploy.up(request.user, stack, project)
            elif action == "pull":
                message = deploy.pull(request.user, stack, project)
            else:
                volumes = request.POST.get("volumes") == "on"
                message = deploy.down(request.user, stack, project, volumes=volumes)
                messages.success(request, message)
                return redirect("stacks:list")
    except ComposeError as error:
        messages.error(request, str(error))
    except EngineError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    return redirect("stacks:detail", stack.name)


def stack_logs(request: HttpRequest, name: str) -> HttpResponse:
    """`docker-compose logs --tail`: every service's last lines, interleaved by time."""
    stack, _rights = access_stack(request.user, name)
    lines = interleave.interleaved(request.user, deploy.containers_of(stack))
    context = {
        "stack": stack,
        "lines": lines,
        "command": command_line(stack.name, "logs -t --tail 200"),
    }
    return render(request, "stacks/logs.html", context)
