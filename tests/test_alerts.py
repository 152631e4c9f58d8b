"""Alerts on the real engine, told to a real HTTP receiver and a real SMTP server on loopback:
a killed container reaches a signed webhook (retried after a 500) and is resolved when it runs
again; an OOM-killed one is mailed; thresholds and engines fire after their minutes; and rules
are for instructors and administrators, alerts for those whose containers they are about."""

import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator

import docker
import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import AuditEvent, Team
from dashboard.policy.ownership import Kind
from stats import alerting
from stats.collector import Collector
from stats.models import Alert, AlertDelivery, AlertRule, EngineSample
from tests.harness import owned
from tests.harness.accounts import signed_in
from tests.harness.registry import free_port
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver that answers 500 to the first request of each delivery, then 204.
    The engine holds other containers than the test's (the world's restart loop, say): a
    rule of no team hears of them too."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                delivery = self.headers["X-Dockboard-Delivery"]
                first = delivery not in {h["X-Dockboard-Delivery"] for h, _b in receiver.received}
                receiver.received.append((dict(self.headers), body))
                self.send_response(500 if first else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def about(self, name: str, event: str) -> list[tuple[dict, bytes]]:
        return [
            (headers, body)
            for headers, body in self.received
            if json.loads(body)["event"] == event
            and json.loads(body)["alert"]["container_name"] == name
        ]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def following() -> Iterator[alerting.EventFollower]:
    """The collector process's event side: every engine's events, and deliveries, in a thread."""
    follower = alerting.EventFollower(alerting.Watcher())
    follower.start()
    yield follower
    follower.stop()


def waited(
    condition: Callable[[], object], seconds: float = 40.0, why: Callable[[], object] = str
) -> object:
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"not in time: {why()}"
        time.sleep(0.2)
    return found


def make_rule(client: Client, **fields: object) -> AlertRule:
    data = {"name": f"rule-{RUN_ID}", "threshold": 90, "minutes": 5, "enabled": "on", **fields}
    response = client.post("/alerts/", data)
    assert response.status_code == 302, text_of(response.content)[-800:]
    return AlertRule.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_a_killed_container_reaches_a_signed_webhook_retried_after_a_500(
    admin: User, make_container: Callable, receiver: Receiver, following: object
) -> None:
    rule = make_rule(signed_in(admin), kind="died", webhook_url=receiver.url)
    assert AuditEvent.objects.filter(action="alert-rule-create", target_name=rule.name).exists()
    stopped = make_container(["sleep", "600"], name="stopped", init=True)
    stopped.stop(timeout=5)  # a `docker stop`: no alert
    killed = make_container(["sleep", "600"], name="killed", init=True)
    killed.kill()

    waited(lambda: len(receiver.about(killed.name, "fired")) >= 2)  # the 500, then the retry
    (first, _b), (headers, body) = receiver.about(killed.name, "fired")[:2]
    assert first["X-Dockboard-Delivery"] == headers["X-Dockboard-Delivery"]
    rule.refresh_from_db()
    expected = hmac.new(
        rule.webhook_secret.encode(),
        headers["X-Dockboard-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Dockboard-Signature"] == f"sha256={expected}"
    message = json.loads(body)
    assert message["event"] == "fired" and message["alert"]["container_name"] == killed.name
    assert "exit code 137" in message["alert"]["message"]
    delivery = AlertDelivery.objects.get(pk=int(headers["X-Dockboard-Delivery"]))
    assert delivery.attempts == 2 and delivery.delivered_at and delivery.last_error == ""

    killed.start()
    waited(lambda: receiver.about(killed.name, "resolved"))
    resolved = json.loads(receiver.about(killed.name, "resolved")[0][1])
    assert resolved["alert"]["resolution"] == "It runs again."
    assert not Alert.objects.filter(rule=rule, container_name=stopped.name).exists()
    page = text_of(get_ok(signed_in(admin), f"/alerts/rules/{rule.pk}/"))
    assert f"{killed.name} on local died: exit code 137. fired {receiver.url} 2 delivered" in page


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def test_an_oom_killed_container_is_mailed(
    settings, instructor: User, member: User, team: Team, busybox: str,
    engine: docker.DockerClient, following: object,
) -> None:  # fmt: skip
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    smtp_backend = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAILERS = {
        "default": {"BACKEND": smtp_backend, "OPTIONS": {"host": "127.0.0.1", "port": smtp.port}}
    }
    try:
        rule = make_rule(signed_in(instructor), kind="oom", team=team.pk, emails="ops@example.org")
        # It eats after a second, as a real service does: one killed in its first milliseconds
        # can die before the engine watches its memory, and the engine then sends no "oom".
        hungry = engine.containers.create(
            busybox, ["sh", "-c", "sleep 2; x=aaaaaaaa; while :; do x=$x$x; done"], mem_limit="8m",
            memswap_limit="8m", labels={LABEL_KEY: RUN_ID, **owned.labels_for(member, team)},
        )  # fmt: skip
        owned.admitted(Kind.CONTAINER, hungry.id, member, team)
        try:
            hungry.start()
            waited(
                lambda: mailbox.messages,
                why=lambda: (
                    hungry.reload(),
                    hungry.attrs["State"],
                    list(Alert.objects.values("message", "deliveries__last_error")),
                ),
            )
        finally:
            hungry.remove(force=True)
        mail = mailbox.messages[0].decode()
        assert "killed for want of memory" in mail and "ops@example.org" in mail
        alert = Alert.objects.get(rule=rule)
        assert alert.owner_id == member.pk and alert.container_id == hungry.id
        assert alert.message in text_of(get_ok(signed_in(member), "/alerts/"))
    finally:
        smtp.stop()


def test_thresholds_and_engines_fire_after_their_minutes_and_resolve(
    admin: User, make_container: Callable, member: User, team: Team
) -> None:
    client = signed_in(admin)
    cpu = make_rule(client, kind="cpu", threshold=80, minutes=2, emails="a@example.org")
    down = make_rule(client, kind="engine_down", minutes=1, emails="a@example.org")
    theirs = make_container(["sleep", "600"], name="busy", init=True)
    watcher = alerting.Watcher()
    busy = alerting.Reading("local", theirs.id, theirs.name, 95.0, 10.0)
    for seconds in (0, 50):
        watcher.after_pass({"local": True, "far": False}, [busy], 1000.0 + seconds)
    assert not Alert.objects.exists()  # 50 s above, 50 s down: not yet
    watcher.after_pass({"local": True, "far": False}, [busy], 1000.0 + 120)
    fired = {a.rule_id: a for a in Alert.objects.all()}
    assert set(fired) == {cpu.pk, down.pk}
    assert fired[cpu.pk].owner_id == member.pk and "over 80% of a CPU" in fired[cpu.pk].message
    assert fired[down.pk].message == "Engine far has not answered for 1 minutes."
    watcher.after_pass({"local": True, "far": False}, [busy], 1000.0 + 180)
    assert Alert.objects.count() == 2  # once, however long it lasts

    calm = alerting.Reading("local", theirs.id, theirs.name, 3.0, 10.0)
    watcher.after_pass({"local": True, "far": True}, [calm], 1000.0 + 240)
    assert not Alert.objects.filter(resolved_at=None).exists()
    assert AlertDelivery.objects.filter(event="resolved").count() == 2


def test_an_engines_disk_fuller_than_a_threshold_fires_after_its_minutes(admin: User) -> None:
    """The real file system under the engine's data, against thresholds just below and above
    how full it is now."""
    collector = Collector()
    collector.collect()
    used, size = collector.facts["local"].filesystem
    row = EngineSample.objects.filter(engine="local").latest("at")
    assert (row.filesystem_used, row.filesystem_size) == (used, size) and 0 < used < size
    full = int(used * 100 / size)
    client = signed_in(admin)
    below = make_rule(client, kind="disk", threshold=max(full, 1), minutes=1, emails="a@b.org")
    make_rule(client, kind="disk", threshold=full + 1, minutes=1, emails="a@b.org")
    watcher = alerting.Watcher()
    watcher.after_pass({"local": True}, [], 1000.0, {"local": (used, size)})
    assert not Alert.objects.exists()  # not for a minute yet
    watcher.after_pass({"local": True}, [], 1060.0, {"local": (used, size)})
    (alert,) = Alert.objects.all()
    assert alert.rule == below and f"Engine local's disk is {full}% full" in alert.message

    AlertRule.objects.filter(pk=below.pk).update(threshold=full + 1)
    watcher.after_pass({"local": True}, [], 1120.0, {"local": (used, size)})
    alert.refresh_from_db()
    assert alert.resolution == "It is below the threshold again."
    page = text_of(get_ok(client, "/engines/local/stats/engine/"))
    assert "Its file system, size" in page


def test_rules_are_for_instructors_and_alerts_for_their_containers_people(
    instructor: User, member: User, other_member: User, outsider: User, team: Team,
    make_container: Callable,
) -> None:  # fmt: skip
    refused = signed_in(member).post("/alerts/", {"name": "x", "kind": "died", "emails": "a@b.c"})
    assert refused.status_code == 403
    as_instructor = signed_in(instructor)
    rule_fields = {"name": "x", "kind": "died", "threshold": 90, "minutes": 5}
    everywhere = as_instructor.post("/alerts/", {**rule_fields, "emails": "a@example.org"})
    assert everywhere.status_code == 400 and "This field is required" in text_of(everywhere.content)
    inward = as_instructor.post(
        "/alerts/", {**rule_fields, "team": team.pk, "webhook_url": "http://127.0.0.1:9/hook"}
    )
    assert "must reach a public address" in text_of(inward.content)
    disk = as_instructor.post("/alerts/", {**rule_fields, "kind": "disk", "team": team.pk,
                                           "emails": "a@example.org"})  # fmt: skip
    assert "Engines are watched by rules of no team." in text_of(disk.content)

    rule = make_rule(as_instructor, kind="memory", team=team.pk, emails="i@example.org")
    mine = make_container(["sleep", "600"], name="mine", init=True)
    theirs = make_container(["sleep", "600"], name="theirs", init=True, owner=other_member)
    for container, owner in ((mine, member), (theirs, other_member)):
        message = f"{container.name} uses its memory"
        alerting.fire(rule, "local", container.id, container.name, owner.pk, message)
    member_page = text_of(get_ok(signed_in(member), "/alerts/"))
    assert mine.name in member_page and theirs.name not in member_page
    assert "Make a rule" not in member_page
    instructor_page = text_of(get_ok(as_instructor, "/alerts/"))
    assert mine.name in instructor_page and theirs.name in instructor_page
    assert signed_in(member).get(f"/alerts/rules/{rule.pk}/").status_code == 404
    assert signed_in(outsider).get(f"/alerts/rules/{rule.pk}/").status_code == 404
    assert "Ask an administrator or an instructor for an invitation" in text_of(
        signed_in(outsider).get("/alerts/").content
    )
