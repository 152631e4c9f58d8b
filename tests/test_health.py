"""`/healthz` and `/readyz`, as a load balancer calls them: no sign-in, nothing named, and 503
when the database, the channel layer or every engine fails."""

import json

import pytest
from django.test import Client, override_settings

from dashboard.engine import registry
from tests.harness.registry import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def ready(client: Client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_the_process_answers_without_a_sign_in() -> None:
    response = Client().get("/healthz")
    assert (response.status_code, json.loads(response.content)) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]
    assert Client().post("/healthz").status_code == 405


def test_ready_with_an_engine_answering_even_when_another_does_not() -> None:
    assert ready(Client()) == (200, {"status": "ok", "database": "ok", "channel_layer": "ok",
                                     "engines": "1 of 1 answer"})  # fmt: skip
    registry.add("gone", "unix:///tmp/no-such-engine.sock")
    try:
        status, body = ready(Client())
        assert (status, body["engines"]) == (200, "1 of 2 answer")
        assert "gone" not in json.dumps(body) and "/tmp" not in json.dumps(body)
    finally:
        registry.remove("gone")


def test_not_ready_when_no_engine_answers(settings) -> None:
    settings.DOCKER_HOST = "unix:///tmp/no-such-engine.sock"
    unavailable = {"status": "unavailable", "database": "ok", "channel_layer": "ok",
                   "engines": "0 of 1 answer"}  # fmt: skip
    assert ready(Client()) == (503, unavailable)


def test_not_ready_when_the_channel_layer_fails() -> None:
    redis = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [("127.0.0.1", free_port())]},
    }  # nothing listens there; fmt: skip
    with override_settings(CHANNEL_LAYERS={"default": redis}):
        status, body = ready(Client())
    assert (status, body["channel_layer"], body["database"]) == (503, "failing", "ok")
