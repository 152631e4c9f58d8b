"""A 10-service stack up through Dockboard (the form → the gate for every network, volume and
container → all started) against `docker-compose up -d` (Debian's 1.29) of the same file, in one
run, on the same engine.

Usage: .venv/bin/python bench/stacks.py [--services 10] [--rounds 5]

Each round makes the stack anew under a fresh name on each side (its default network, a volume,
and --services containers, each depending on the one before), times it, and takes it down
untimed. A team member deploys through the gate; the time runs from the form's submission to
its answer, when every container runs. Medians and their ratio.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import short
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from support import DATA_DIR, LABEL, busybox_image, engine

from dashboard.models import Membership, Team
from dashboard.notation import compose_file, compose_project
from stacks import deploy
from stacks.models import Stack

PROJECT = "com.docker.compose.project"


def compose(image: str, services: int) -> str:
    label = "{" + ", ".join(f'"{k}": "{v}"' for k, v in LABEL.items()) + "}"
    lines = ["services:"]
    for n in range(services):
        lines += [
            f"  s{n}:",
            f"    image: {image}",
            '    command: ["sleep", "600"]',
            "    stop_grace_period: 1s",
            f"    labels: {label}",
        ]
        if n:
            lines.append(f"    depends_on: [s{n - 1}]")
        else:
            lines.append('    volumes: ["data:/data"]')
    lines += ["volumes:", f"  data: {{labels: {label}}}"]
    return "\n".join(lines) + "\n"


def cli_up(text: str, name: str) -> float:
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as folder:
        path = Path(folder, "compose.yaml")
        path.write_text(text)
        started = time.perf_counter()
        subprocess.run(
            ["docker-compose", "-p", name, "-f", str(path), "up", "-d"],
            check=True, capture_output=True, env={"PATH": os.environ["PATH"]},
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        subprocess.run(
            ["docker-compose", "-p", name, "-f", str(path), "down", "-v", "-t", "1"],
            check=True, capture_output=True,
        )  # fmt: skip
    return elapsed


def dockboard_up(browser: Client, member, team: Team, text: str, name: str) -> float:
    started = time.perf_counter()
    response = browser.post(
        "/engines/local/stacks/new/",
        {"name": name, "team": team.pk, "compose": text, "env": "", "deploy": ""},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.content[-800:]
    stack = Stack.objects.get(name=name)
    project = compose_project.project(name, compose_file.read(text))
    deploy.down(member, stack, project, volumes=True)
    return elapsed


def main(args: argparse.Namespace) -> None:
    client = engine()
    image = busybox_image(client)
    call_command("migrate", verbosity=0)
    team, _ = Team.objects.get_or_create(
        name="bench-stacks",
        defaults={"allowed_images": "dockboard-bench/**", "member_containers": 100},
    )
    member, _ = get_user_model().objects.get_or_create(username="bench-stacker")
    Membership.objects.get_or_create(user=member, team=team)
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(member)
    text = compose(image, args.services)
    cli, ours = [], []
    stamp = int(time.time())
    try:
        for n in range(args.rounds):
            cli.append(cli_up(text, f"benchcli{stamp}{n}"))
            ours.append(dockboard_up(browser, member, team, text, f"benchdb{stamp}{n}"))
    finally:
        for container in client.containers.list(all=True, filters={"label": "dockboard-bench"}):
            if PROJECT in container.labels:
                container.remove(force=True, v=True)
    theirs, mine = statistics.median(cli), statistics.median(ours)
    print(f"{args.services}-service stack up (a network, a volume), {args.rounds} rounds")
    print(f"  `docker-compose up -d`: median {theirs:.2f} s   Dockboard: median {mine:.2f} s"
          f"   ratio {mine / theirs:.3f}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    main(short.parse(parser, services=3, rounds=1))
