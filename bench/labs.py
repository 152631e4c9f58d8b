"""Labs: a class of 50 learners, a reset, 50 expiries at once, the roster, and both kinds of check.

Usage: .venv/bin/python bench/labs.py [--learners 50] [--workers 1] [--repeat 20]

1. Open a class, every learner presses Start at once (through the real server), and real task
   workers make the sessions (one busybox service each, image present): time until all are
   running and attachable, against the SDK making the same networks and containers.
2. Reset of one session (remove, make again, start) against the SDK's remove + create + start.
3. Expiry of every session at once, with the real reaper process running: time until all their
   containers are gone, against the SDK's `docker rm -f` of as many containers.
4. The roster with every learner: server time (median) and engine calls.
5. An engine check, against the SDK's list + inspect it stands for; an exec check whose script is
   `true`, against the SDK's `docker exec` of the same script.
Everything carries lab labels or dockboard-bench and is removed at the end.
"""

import argparse
import concurrent.futures
import subprocess
import sys
import time
import urllib.request

import docker
import short
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from listing import count_engine_calls, median_seconds
from support import LABEL, ROOT, busybox_image, dockboard_server, engine, signed_in_cookie

from dashboard.models import Membership, Team
from dashboard.policy import labels
from dashboard.policy.ownership import installation_id
from labs import actions, checks, launch, runtime
from labs.library import import_template
from labs.models import LabClass, LabSession

LAB = """\
slug = "bench-lab"
title = "Bench"

[[services]]
name = "shell"
image = "{image}"
command = ["sh"]
# A shell needs little; with the team's 512 MiB each, a class of 50 would not fit this machine.
memory = "64m"
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


def team_of_learners(image: str, count: int) -> tuple[Team, list]:
    """A team with the default policy and quotas (a class of 50 must open with them: its
    sessions are counted by what they request), and the lab's image allowed."""
    Team.objects.filter(name="bench-lab-team").delete()
    team = Team.objects.create(name="bench-lab-team", allowed_images=image)
    team.team_containers = max(team.team_containers, count)  # a container a learner
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
    """Press Start lab as the learner does (the CSRF check needs the token of a page)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.addheaders = [("Cookie", cookie)]
    page = opener.open(f"{url}/labs/").read().decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    request = urllib.request.Request(  # noqa: S310
        f"{url}/classes/{class_id}/start/",
        data=f"csrfmiddlewaretoken={token}".encode(),
        headers={"Cookie": f"{cookie}; csrftoken={_csrf_cookie(opener, url)}", "Referer": url},
    )
    opener.open(request).read()


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


def open_class_of(args, client, image: str, teacher, learners) -> LabClass:
    version = import_template(LAB.format(image=image), None)
    lab_class = actions.open_class(teacher, version, Team.objects.get(name="bench-lab-team"), {})
    workers = [
        subprocess.Popen([sys.executable, "-m", "django", "taskworker"], cwd=ROOT)
        for _ in range(args.workers)
    ]
    try:
        with dockboard_server() as (url, _pid):
            cookies = [signed_in_cookie(user) for user in learners]
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                list(pool.map(lambda c: start(url, c, lab_class.pk), cookies))
            pressed = time.perf_counter() - started
            while LabSession.objects.filter(state=LabSession.State.RUNNING).count() < len(learners):
                if LabSession.objects.filter(state=LabSession.State.FAILED).exists():
                    raise RuntimeError(LabSession.objects.filter(state="failed").first().error)
                time.sleep(0.1)
            summaries = client.containers.list(filters=our_lab_objects())
            assert all(attachable(client, c.id) for c in summaries)
            ours = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait()
    started = time.perf_counter()
    raw = _raw_sessions(client, image, len(learners))
    sdk = time.perf_counter() - started
    for container_id, network in raw:
        client.api.remove_container(container_id, force=True)
        client.api.remove_network(network)
    print(f"1. class of {len(learners)}, {args.workers} worker(s): all running and attachable "
          f"{ours:.1f} s after the first Start (Starts took {pressed:.1f} s); "
          f"SDK, one after another: {sdk:.1f} s (x{ours / sdk:.2f})")  # fmt: skip
    return lab_class


def _raw_sessions(client, image: str, count: int) -> list[tuple[str, str]]:
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
    engine_check = median_seconds(lambda: checks.run_step(session, 0), args.repeat)
    raw_engine = median_seconds(
        lambda: client.api.inspect_container(
            client.api.containers(filters=session_filter)[0]["Id"]
        ),
        args.repeat,
    )
    exec_check = median_seconds(lambda: checks.run_step(session, 1), args.repeat)
    raw_exec = median_seconds(lambda: client.containers.get(name).exec_run("true"), args.repeat)
    print(f"5. engine check: {engine_check * 1000:.1f} ms (SDK list+inspect "
          f"{raw_engine * 1000:.1f} ms); exec check of `true`: {exec_check * 1000:.1f} ms, "
          f"SDK exec_run: {raw_exec * 1000:.1f} ms, overhead "
          f"{(exec_check - raw_exec) * 1000:.0f} ms")  # fmt: skip


def expire_all(client, learners: int, image: str) -> None:
    reaper = subprocess.Popen(
        [sys.executable, "-m", "django", "reaplabs", "--interval", "1"], cwd=ROOT
    )
    try:
        LabSession.objects.filter(state__in=LabSession.ACTIVE).update(expires_at=timezone.now())
        started = time.perf_counter()
        while client.api.containers(all=True, filters=our_lab_objects()):
            time.sleep(0.1)
        ours = time.perf_counter() - started
    finally:
        reaper.terminate()
        reaper.wait()
    made = _raw_sessions(client, image, learners)
    started = time.perf_counter()
    for container_id, network in made:
        client.api.remove_container(container_id, force=True)
        client.api.remove_network(network)
    sdk = time.perf_counter() - started
    print(f"3. expiry of {learners} sessions at once: all containers gone {ours:.1f} s after "
          f"expiry (reaper every 1 s); SDK rm -f and network rm of {learners}, one after "
          f"another: {sdk:.1f} s (x{ours / sdk:.2f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    args = short.parse(parser, learners=5, repeat=3)
    call_command("migrate", verbosity=0)
    client = engine()
    image = busybox_image(client)
    remove_lab_objects(client)
    _team, (teacher, *learners) = team_of_learners(image, args.learners)
    try:
        lab_class = open_class_of(args, client, image, teacher, learners)
        session = lab_class.sessions.order_by("pk").first()
        reset_one(client, image, session)
        checks_and_roster(args, lab_class, LabSession.objects.get(pk=session.pk), teacher, client)
        expire_all(client, args.learners, image)
    finally:
        remove_lab_objects(client)
        for container in client.containers.list(all=True, filters={"label": "dockboard-bench=1"}):
            container.remove(force=True)
        for network in client.networks.list(filters={"label": "dockboard-bench=1"}):
            network.remove()


if __name__ == "__main__":
    main()
