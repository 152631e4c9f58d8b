"""Teams: a member's container list, the policy gate's cost on a create, the audit export.

Usage: .venv/bin/python bench/team_policy.py [--containers 500] [--theirs 50] [--creates 30]
                                        [--audit-rows 100000]

1. A member's /containers/ (server side, in this process) with --containers on the engine and
   --theirs of them the member's, against `docker ps -a --filter label=dockboard.owner=<id>`;
   and the engine calls the page makes.
2. A create through Dockboard's create path (gate, quota lock, engine create, audit row) against
   the SDK's create_container with the same parameters, alternated; the gate's own share too.
3. /audit/export.csv of --audit-rows rows from the real server (uvicorn): time to the last
   byte, and the server's RSS before, during and after, against an export of a tenth as many.
Everything is labelled dockboard-bench and removed at the end.
"""

import argparse
import statistics
import subprocess
import threading
import time
import urllib.request

import short
from django.contrib.auth import get_user_model
from django.test import Client
from listing import count_engine_calls, median_seconds
from support import (
    LABEL,
    administrator,
    busybox_image,
    dockboard_server,
    engine,
    remove_bench_containers,
    rss_kib,
    signed_in_cookie,
)

from containers.spec import ContainerSpec
from dashboard.engine import containers as engine_containers
from dashboard.engine import system as engine_system
from dashboard.models import GIB, AuditEvent, Membership, Team
from dashboard.policy import containers as container_policy
from dashboard.policy.ownership import Kind
from tests.harness import owned


def member_in_team(image: str) -> tuple[object, Team]:
    team, _ = Team.objects.get_or_create(name="bench-team")
    team.allowed_images = image
    team.member_containers = team.team_containers = 10_000
    team.member_memory = team.team_memory = 10_000 * GIB
    team.member_cpus = team.team_cpus = 1000
    team.save()
    user, _ = get_user_model().objects.get_or_create(username="bench-member")
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": "member"})
    return user, team


def member_list(client, image: str, user, team: Team, args) -> None:
    print(f"creating {args.containers} containers, {args.theirs} of them the member's…")
    for index in range(args.containers):
        theirs = index < args.theirs
        ownership = owned.labels_for(user, team) if theirs else {}
        made = client.api.create_container(image, ["true"], labels={**LABEL, **ownership})
        if theirs:  # as the gate admits it: labelled and recorded
            owned.admitted(Kind.CONTAINER, made["Id"], user, team)
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(user)
    ours = median_seconds(lambda: browser.get("/engines/local/containers/"), args.repeat)
    command = ["docker", "ps", "-a", "--filter", f"label=dockboard.owner={user.pk}"]
    cli = median_seconds(
        lambda: subprocess.run(command, capture_output=True, check=True), args.repeat
    )
    calls = count_engine_calls(lambda: browser.get("/engines/local/containers/"))
    shown = browser.get("/engines/local/containers/").content.decode().count(' data-id="')
    assert shown == args.theirs, f"the member's page shows {shown} rows, not their {args.theirs}"
    print(
        f"member list: server {ours * 1000:.1f} ms, `{' '.join(command)}` {cli * 1000:.1f} ms, "
        f"ratio {ours / cli:.2f}x, engine calls {calls}, rows shown {shown}"
    )
    remove_bench_containers(client)


def gate_cost(client, image: str, user, team: Team, args) -> None:
    """What the gate adds to a create: the whole of container_policy.create_container (checks, quota
    lock, ledger count and entry) less its one engine call, which is timed where it is made.
    Beside it, the SDK's create with the member's parameters, and with the hardened ones the
    gate sends (the engine's own extra work for cap-drop, pids, log options and the rest)."""
    spec = ContainerSpec(image=image, command=["true"], labels=dict(LABEL), memory=64 * 1024**2)
    parameters = spec.create_parameters(engine_system.api_version())
    engine_call = engine_containers.create_container
    inner, sent = [], []

    def timed_create(checked: object) -> str:
        sent[:] = [checked.parameters]
        started = time.perf_counter()
        try:
            return engine_call(checked)
        finally:
            inner.append(time.perf_counter() - started)

    whole, raw, hardened = [], [], []
    engine_containers.create_container = timed_create
    try:
        for _round in range(args.creates):
            for samples, creator in (
                (whole, lambda: container_policy.create_container(user, team.pk, parameters)),
                (raw, lambda: client.api.create_container(**parameters)["Id"]),
                (hardened, lambda: client.api.create_container(**sent[0])["Id"]),
            ):
                started = time.perf_counter()
                container_id = creator()
                samples.append(time.perf_counter() - started)
                client.api.remove_container(container_id, force=True)
    finally:
        engine_containers.create_container = engine_call
    own = statistics.median(w - i for w, i in zip(whole, inner, strict=True)) * 1000
    print(
        f"create ({args.creates} each, medians): the gate's own time {own:.2f} ms; "
        f"through the gate {statistics.median(whole) * 1000:.2f} ms, SDK with the hardened "
        f"parameters {statistics.median(hardened) * 1000:.2f} ms, SDK with the member's "
        f"{statistics.median(raw) * 1000:.2f} ms"
    )


def _write_rows(first: int, last: int) -> None:
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                actor_name="bench",
                action="stop",
                target_kind="container",
                target_id=f"{n:064x}",
                target_name=f"box-{n}",
                command=f"docker stop box-{n}",
                client_ip="127.0.0.1",
            )
            for n in range(first, last)
        ),
        batch_size=5000,
    )


def _export(url: str, pid: int, cookie: str) -> None:
    before = rss_kib(pid)
    peak, done = [before], threading.Event()  # an export quicker than a sample peaks at before

    def watch() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_kib(pid))

    threading.Thread(target=watch, daemon=True).start()
    request = urllib.request.Request(url + "/audit/export.csv", headers={"Cookie": cookie})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: response.read(65536), b""))
    elapsed = time.perf_counter() - started
    done.set()
    print(
        f"audit export of {lines - 1} rows: {elapsed:.2f} s; server RSS {before / 1024:.0f} MiB "
        f"before, peak {peak[0] / 1024:.0f} MiB (+{(peak[0] - before) / 1024:.1f} MiB)"
    )


def audit_export(rows: int) -> None:
    """The same export at a tenth of the rows, then at all of them: flat memory means the same
    peak for both."""
    AuditEvent.objects.all().delete()
    cookie = signed_in_cookie(administrator("bench-audit"))
    with dockboard_server() as (url, pid):
        _write_rows(0, rows // 10)
        _export(url, pid, cookie)
        _write_rows(rows // 10, rows)
        _export(url, pid, cookie)
    AuditEvent.objects.all().delete()


def main(args) -> None:
    client = engine()
    image = busybox_image(client)
    administrator("bench-admin")
    user, team = member_in_team(image)
    try:
        member_list(client, image, user, team, args)  # leaves the member's containers
        gate_cost(client, image, user, team, args)
        remove_bench_containers(client)
        audit_export(args.audit_rows)
    finally:
        remove_bench_containers(client)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--containers", type=int, default=500)
    parser.add_argument("--theirs", type=int, default=50)
    parser.add_argument("--creates", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--audit-rows", type=int, default=100_000)
    main(short.parse(parser, containers=50, theirs=5, creates=5, repeat=3, audit_rows=2000))
