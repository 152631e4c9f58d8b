"""Labs: a class of 200 learners over two engines, warm starts, a reset, 200 expiries at once,
the roster, and both kinds of check.

Usage: .venv/bin/python bench/labs.py [--learners 200] [--engines 2] [--workers 1,2,4]
       [--claims 50] [--repeat 20]

1. Open a class on a team of --engines engines (a real second dockerd beside the first), every
   learner presses Start at once (through the real server), and real task workers make the
   sessions (one busybox service each, image present on every engine): time until all are
   running and attachable, once for each number of --workers; against the SDK making the same
   networks and containers one after another.
2. Reset of one session (remove, make again, start) against the SDK's remove + create + start.
3. Expiry of every session at once, with the real reaper process running: time until all their
   containers are gone, against the SDK's `docker rm -f` and `network rm` of as many.
4. The roster with every learner: server time (median) and engine calls.
5. An engine check, against the SDK's list + inspect it stands for; an exec check whose script is
   `true`, against the SDK's `docker exec` of the same script.
6. A class that expects --claims learners keeps a warm pool (made by the real reaper and
   workers): time to fill it; then the learners press Start, 8 at a time: each one's time from
   the press to their session running and attachable (p50, p95), against the cold start's
   average in 1.
Everything carries lab labels or dockboard-bench and is removed at the end.
"""

import argparse
import concurrent.futures
import contextlib
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator

import docker
import short
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from listing import count_engine_calls, median_seconds
from support import (
    LABEL,
    ROOT,
    busybox_image,
    copy_image,
    dockboard_server,
    engine,
    signed_in_cookie,
)

from dashboard.models import Engine, Membership, Team
from dashboard.policy import labels
from dashboard.policy.ownership import installation_id
from labs import actions, checks, launch, runtime
from labs.library import import_template
from labs.models import LabClass, LabSession
from tests.harness.second_engine import second_engine

LAB = """\
slug = "bench-lab"
title = "Bench"

[[services]]
name = "shell"
image = "{image}"
command = ["sh"]
memory = "64m"  # its limit; what placement and quotas count is the team's request
interactive = true
tty = true

[[steps]]
title = "Engine"
[[steps.checks]]
kind = "engine"
container = {{ image = "{image}", state = "running", tty = true }}

[[steps]]
title = "Exec"
[[steps.checks]]
kind = "exec"
service = "shell"
script = "true"
"""


def our_lab_objects() -> dict[str, list[str]]:
    """The filter of this installation's lab objects: another's on the engine are its own."""
    return {"label": [labels.LAB_SESSION, f"{labels.INSTALLATION}={installation_id()}"]}


def remove_lab_objects(client) -> None:
    for container in client.containers.list(all=True, filters=our_lab_objects()):
        container.remove(force=True)
    for network in client.networks.list(filters=our_lab_objects()):
        network.remove()


@contextlib.contextmanager
def engines_of(count: int, image: str) -> Iterator[dict[str, docker.DockerClient]]:
    """The local engine and, for ``count`` 2, a real second one holding the image too."""
    local = engine()
    if count < 2:
        yield {"local": local}
        return
    with second_engine() as address:
        Engine.objects.filter(name="second").delete()
        call_command("engine", "add", "second", address)
        second = docker.DockerClient(base_url=address, version="1.41", timeout=120)
        copy_image(image, second)
        try:
            yield {"local": local, "second": second}
        finally:
            remove_lab_objects(second)
            second.close()
            Engine.objects.filter(name="second").delete()


def team_of_learners(image: str, count: int, engine_names: list[str]) -> tuple[Team, list]:
    """A team with the default policy (a class of 50 must open with it: its sessions are counted
    by what they request) on ``engine_names``, the lab's image allowed, and room for ``count``
    containers and their requests."""
    Team.objects.filter(name="bench-lab-team").delete()
    team = Team.objects.create(
        name="bench-lab-team", allowed_images=image, engines="\n".join(engine_names)
    )
    team.team_containers = max(team.team_containers, count)  # a container a learner
    team.team_memory = max(team.team_memory, count * team.memory_request)
    team.team_cpus = max(team.team_cpus, count * team.cpu_request)
    team.save()
    users = []
    for number in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"learner{number}")
        Membership.objects.get_or_create(user=user, team=team, defaults={"role": "member"})
        users.append(user)
    teacher, _ = get_user_model().objects.get_or_create(username="teacher")
    Membership.objects.get_or_create(user=teacher, team=team, defaults={"role": "instructor"})
    return team, [teacher, *users]


def start(url: str, cookie: str, class_id: int) -> None:
    """Open the lab list, then press Start lab there, as the learner does."""
    pressing(url, cookie, class_id)()


def pressing(url: str, cookie: str, class_id: int) -> Callable[[], None]:
    """The press of Start lab on the lab list the learner has open (the CSRF check needs the
    page's token): the POST, and the session page it leads to."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.addheaders = [("Cookie", cookie)]
    page = opener.open(f"{url}/labs/").read().decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    request = urllib.request.Request(  # noqa: S310
        f"{url}/classes/{class_id}/start/",
        data=f"csrfmiddlewaretoken={token}".encode(),
        headers={"Cookie": f"{cookie}; csrftoken={_csrf_cookie(opener, url)}", "Referer": url},
    )
    return lambda: opener.open(request).read()


def _csrf_cookie(opener, url: str) -> str:
    for handler in opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            for cookie in handler.cookiejar:
                if cookie.name == "csrftoken":
                    return cookie.value
    raise RuntimeError(f"no csrftoken from {url}")


def attachable(client, container_id: str) -> bool:
    details = client.api.inspect_container(container_id)
    if not (details["State"]["Running"] and details["Config"]["OpenStdin"]):
        return False
    sock = client.api.attach_socket(container_id, params={"stdin": 1, "stdout": 1, "stream": 1})
    sock.close()
    return True


@contextlib.contextmanager
def running(command: str, count: int) -> Iterator[None]:
    """``count`` real processes of `manage.py COMMAND` (task workers, the reaper) meanwhile."""
    processes = [
        subprocess.Popen([sys.executable, "-m", "django", *command.split()], cwd=ROOT)
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
            process.wait()


def all_attachable(clients: dict[str, docker.DockerClient], sessions) -> None:
    """Every session's container, on its engine, is running and takes an attach."""
    for session in sessions:
        client = clients[session.engine]
        (container,) = client.api.containers(
            filters={"label": [f"{labels.LAB_SESSION}={session.pk}", *our_lab_objects()["label"]]}
        )
        assert attachable(client, container["Id"]), session.pk


def wait_running(lab_class: LabClass, count: int, *, pooled: bool) -> None:
    """Until ``count`` sessions of the class (warm ones, or learners') run."""
    sessions = lab_class.sessions.filter(learner__isnull=pooled)
    while sessions.filter(state=LabSession.State.RUNNING).count() < count:
        if failed := sessions.filter(state=LabSession.State.FAILED).first():
            raise RuntimeError(failed.error)
        time.sleep(0.1)


def class_of(
    clients, version, teacher, learners, workers: int, sdk: float
) -> tuple[LabClass, float]:
    """1. for ``workers``: every learner presses Start; seconds until all run, attachable."""
    team = Team.objects.get(name="bench-lab-team")
    lab_class = actions.open_class(teacher, version, team, {})
    with running("taskworker", workers), dockboard_server() as (url, _pid):
        cookies = [signed_in_cookie(user) for user in learners]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda c: start(url, c, lab_class.pk), cookies))
        pressed = time.perf_counter() - started
        wait_running(lab_class, len(learners), pooled=False)
        all_attachable(clients, lab_class.sessions.all())
        took = time.perf_counter() - started
    spread = {name: lab_class.sessions.filter(engine=name).count() for name in clients}
    print(f"1. class of {len(learners)} on {len(clients)} engine(s) {spread}, {workers} "
          f"worker(s): all running and attachable {took:.1f} s after the first Start "
          f"(Starts took {pressed:.1f} s); SDK on one engine, one after another: {sdk:.1f} s "
          f"(x{took / sdk:.2f})")  # fmt: skip
    return lab_class, took


def end_quickly(clients, lab_class: LabClass) -> None:
    """Between two runs of 1: the class ended, its objects removed by the SDK."""
    LabClass.objects.filter(pk=lab_class.pk).update(ended_at=timezone.now())
    lab_class.sessions.update(state=LabSession.State.ENDED, ended_at=timezone.now())
    for client in clients.values():
        remove_lab_objects(client)


def raw_sessions(client, image: str, count: int) -> list[tuple[str, str]]:
    """What the SDK does for as many sessions: a network on a /28 of its own, a running
    `sh -i -t` on it."""
    made = []
    for number in range(count):
        subnet = f"10.214.{number // 16}.{number % 16 * 16}/28"
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
        network = client.api.create_network(f"bench-raw-{number}", labels=LABEL, ipam=ipam)["Id"]
        container = client.api.create_container(
            image, ["sh"], stdin_open=True, tty=True, labels=LABEL,
            host_config=client.api.create_host_config(network_mode=f"bench-raw-{number}"),
        )  # fmt: skip
        client.api.start(container["Id"])
        made.append((container["Id"], network))
    return made


def remove_raw(client, made: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for container_id, network in made:
        client.api.remove_container(container_id, force=True)
        client.api.remove_network(network)
    return time.perf_counter() - started


def reset_one(client, image: str, session: LabSession) -> None:
    def ours() -> None:
        fresh = LabSession.objects.select_related("learner").get(pk=session.pk)
        actions.reset(fresh.learner, fresh)
        launch.launch(session.pk, again=True)

    def sdk() -> None:
        made = client.api.create_container(image, ["sh"], stdin_open=True, tty=True, labels=LABEL)
        client.api.start(made["Id"])
        client.api.remove_container(made["Id"], force=True)

    mine, theirs = median_seconds(ours, 5), median_seconds(sdk, 5)
    print(f"2. reset of one session: {mine * 1000:.0f} ms; SDK create+start+rm: "
          f"{theirs * 1000:.0f} ms (x{mine / theirs:.2f})")  # fmt: skip


def checks_and_roster(args, lab_class: LabClass, session: LabSession, teacher, client) -> None:
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(teacher)

    def roster_page() -> None:
        page = browser.get(f"/classes/{lab_class.pk}/")
        assert page.status_code == 200 and session.learner.username in page.text, page.status_code

    roster = median_seconds(roster_page, args.repeat)
    calls = count_engine_calls(roster_page)
    print(f"4. roster of {lab_class.sessions.count()} learners: {roster * 1000:.1f} ms, "
          f"{calls} engine calls")  # fmt: skip
    name = runtime.container_name(session, "shell")
    session_filter = {"label": [f"{labels.LAB_SESSION}={session.pk}", *our_lab_objects()["label"]]}
    with runtime.on_engine(session):
        engine_check = median_seconds(lambda: checks.run_step(session, 0), args.repeat)
        exec_check = median_seconds(lambda: checks.run_step(session, 1), args.repeat)
    raw_engine = median_seconds(
        lambda: client.api.inspect_container(
            client.api.containers(filters=session_filter)[0]["Id"]
        ),
        args.repeat,
    )
    raw_exec = median_seconds(lambda: client.containers.get(name).exec_run("true"), args.repeat)
    print(f"5. engine check: {engine_check * 1000:.1f} ms (SDK list+inspect "
          f"{raw_engine * 1000:.1f} ms); exec check of `true`: {exec_check * 1000:.1f} ms, "
          f"SDK exec_run: {raw_exec * 1000:.1f} ms, overhead "
          f"{(exec_check - raw_exec) * 1000:.0f} ms")  # fmt: skip


def expire_all(clients, learners: int, raw_removal: float) -> None:
    with running("reaplabs --interval 1", 1):
        LabSession.objects.filter(state__in=LabSession.ACTIVE).update(expires_at=timezone.now())
        started = time.perf_counter()
        while any(c.api.containers(all=True, filters=our_lab_objects()) for c in clients.values()):
            time.sleep(0.1)
        ours = time.perf_counter() - started
    print(f"3. expiry of {learners} sessions at once: all containers gone {ours:.1f} s after "
          f"expiry (reaper every 1 s); SDK rm -f and network rm of {learners}, one after "
          f"another: {raw_removal:.1f} s (x{ours / raw_removal:.2f})")  # fmt: skip


def warm_claims(clients, version, teacher, learners, cold: float) -> None:
    """6. A warm pool of one session for each expected learner; then their Starts."""
    team = Team.objects.get(name="bench-lab-team")
    lab_class = actions.open_class(teacher, version, team, {}, learners_expected=len(learners))
    with running("taskworker", 2), running("reaplabs --interval 1", 1):
        started = time.perf_counter()
        wait_running(lab_class, len(learners), pooled=True)
        filled = time.perf_counter() - started
        warm = set(lab_class.sessions.values_list("pk", flat=True))
        with dockboard_server() as (url, _pid):
            cookies = {user.pk: signed_in_cookie(user) for user in learners}

            def claim(user) -> float:
                press = pressing(url, cookies[user.pk], lab_class.pk)
                pressed = time.perf_counter()
                press()
                session = lab_class.sessions.get(learner=user)
                while session.state != LabSession.State.RUNNING:
                    if not session.is_active:
                        raise RuntimeError(f"session {session.pk}: {session.state}")
                    time.sleep(0.02)
                    session.refresh_from_db()
                all_attachable(clients, [session])
                return time.perf_counter() - pressed

            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                waits = sorted(pool.map(claim, learners))
    claimed = set(lab_class.sessions.filter(learner__isnull=False).values_list("pk", flat=True))
    p50 = statistics.median(waits)
    p95 = waits[max(0, round(len(waits) * 0.95) - 1)]
    print(f"6. warm pool of {len(learners)}: filled in {filled:.1f} s; Start to running and "
          f"attachable: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"{len(claimed & warm)} of {len(waits)} Starts claimed one; a cold start in 1 took "
          f"{cold:.2f} s a learner on average")  # fmt: skip
    actions.end_class(teacher, lab_class)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--engines", type=int, default=2, choices=[1, 2])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--claims", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = short.parse(parser, learners=6, workers="2", claims=4, repeat=3)
    call_command("migrate", verbosity=0)
    local = engine()
    image = busybox_image(local)
    remove_lab_objects(local)
    with engines_of(args.engines, image) as clients:
        _team, (teacher, *learners) = team_of_learners(image, args.learners, list(clients))
        version = import_template(LAB.format(image=image), None)
        try:
            started = time.perf_counter()
            made = raw_sessions(local, image, args.learners)
            sdk_made = time.perf_counter() - started
            sdk_removed = remove_raw(local, made)
            counts = [int(n) for n in args.workers.split(",")]
            for number, workers in enumerate(counts):
                lab_class, took = class_of(clients, version, teacher, learners, workers, sdk_made)
                if number < len(counts) - 1:
                    end_quickly(clients, lab_class)
            session = lab_class.sessions.order_by("pk").first()
            reset_one(local, image, LabSession.objects.get(pk=session.pk))
            checks_and_roster(
                args,
                lab_class,
                LabSession.objects.get(pk=session.pk),
                teacher,
                clients[session.engine],
            )
            expire_all(clients, args.learners, sdk_removed)
            warm_claims(clients, version, teacher, learners[: args.claims], took / len(learners))
        finally:
            for client in clients.values():
                remove_lab_objects(client)
            for container in local.containers.list(
                all=True, filters={"label": "dockboard-bench=1"}
            ):
                container.remove(force=True)
            for network in local.networks.list(filters={"label": "dockboard-bench=1"}):
                network.remove()


if __name__ == "__main__":
    main()
