"""`/metrics` as Prometheus scrapes it: off by default, a personal access token to read it,
and a member's token shows their containers' gauges and nothing else. Parsed with
prometheus-client's own parser."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from dockerapi import tokens
from stats.collector import Collector
from tests.test_stats import BUSY, collected

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(secret: str) -> dict[str, list]:
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=")
    return {f.name: f.samples for f in text_string_to_metric_families(response.content.decode())}


def named(samples: list) -> set[str]:
    return {s.labels.get("name") for s in samples}


def test_metrics_are_off_unless_turned_on(member: User) -> None:
    secret = tokens.issue(member, "scrape")[1]
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404


def test_a_token_shows_what_its_person_may_see(
    settings, make_container: Callable, member: User, other_member: User, admin: User
) -> None:
    settings.DOCKBOARD_METRICS = True
    mine = make_container(BUSY, name="scraped")
    theirs = make_container(["sleep", "600"], name="theirs", init=True, owner=other_member)
    cli = make_container(["sleep", "600"], name="cli-made", init=True, owner=None)
    collected(Collector(), 3)

    assert Client().get("/metrics").status_code == 401
    wrong = Client().get("/metrics", headers={"Authorization": "Bearer dkb_not-a-token"})
    assert (wrong.status_code, wrong["WWW-Authenticate"]) == (401, 'Bearer realm="dockboard"')

    token, secret = tokens.issue(member, "scrape")
    as_member = scrape(secret)
    cpu = as_member["dockboard_container_cpu_percent"]
    assert named(cpu) == {mine.name}
    assert next(s.value for s in cpu if s.labels["name"] == mine.name) > 50
    assert "dockboard_engine_up" not in as_member
    assert "dockboard_http_requests" not in as_member and "dockboard_lab_sessions" not in as_member

    as_admin = scrape(tokens.issue(admin, "scrape")[1])
    assert {mine.name, theirs.name, cli.name} <= named(as_admin["dockboard_container_memory_bytes"])
    assert [(s.labels, s.value) for s in as_admin["dockboard_engine_up"]] == [
        ({"engine": "local"}, 1.0)
    ]
    requests = as_admin["dockboard_http_requests"]
    assert any(s.labels == {"method": "GET", "status": "4xx"} and s.value >= 2 for s in requests)
    assert "dockboard_open_terminals" in as_admin and "dockboard_tasks" in as_admin
    assert "dockboard_lab_sessions" in as_admin

    tokens.revoke(member, token.pk)
    revoked = Client().get("/metrics", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401
