"""The engine gateway's image calls (`docker images`, `pull`, `tag`, `rmi`, `image prune`), on
the current engine."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests
from docker import auth
from docker.utils.json_stream import json_stream

from dashboard.engine.client import (
    api_url,
    client,
    engine_call,
    raise_for_status,
    require,
    translated_errors,
)
from dashboard.notation.reference import auth_server
from dashboard.policy.sealed import CheckedPull, CheckedPush, RegistryAuth


@engine_call
def list_images() -> list[dict[str, Any]]:
    return client().images(all=False)


@engine_call
def inspect_image(ref: str) -> dict[str, Any]:
    return client().inspect_image(ref)


@engine_call
def inspect_distribution(ref: str, login: RegistryAuth | None = None) -> dict[str, Any]:
    """What the image's registry says of it (`docker manifest inspect`), asked by the engine as
    its pull would be (with ``login``, the stored login the gate chose): an error when the
    registry does not answer or has no such image."""
    config = _auth_config(login) if login is not None else None
    return client().inspect_distribution(ref, auth_config=config)


def _auth_config(login: RegistryAuth) -> dict[str, str]:
    """A stored login as an engine's auth config, what `docker login` keeps."""
    return {"username": login.username, "password": login.password,
            "serveraddress": auth_server(login.registry)}  # fmt: skip


def registry_auth_header(checked: CheckedPull) -> str | None:
    """The ``X-Registry-Auth`` of the stored login the gate chose for this pull, as the CLI
    sends one after `docker login`; None for none."""
    return _auth_header(require(checked, CheckedPull).auth)


def _auth_header(login: RegistryAuth | None) -> str | None:
    return auth.encode_header(_auth_config(login)).decode() if login is not None else None


@engine_call
def check_login(registry: str, username: str, password: str) -> None:
    """`docker login`: the engine asks the registry whether the login holds (an error says why
    not). Sent as it is, not through the SDK's login(), which would keep the login in the shared
    client for everyone's calls."""
    api = client()
    body = {"username": username, "password": password, "serveraddress": auth_server(registry)}
    raise_for_status(api.post(api_url(api, "/auth"), json=body))


def pull_stream(checked: CheckedPull) -> tuple[Any, Iterator[dict]]:
    """Start `docker pull`: the open response (close it to cancel) and its decoded messages.
    Errors before the stream begins raise ``EngineError``, and so does a stream that breaks;
    the engine's own later errors arrive as messages."""
    reference = require(checked, CheckedPull).reference
    with translated_errors():
        api = client()
        params = {"fromImage": reference.repository, "tag": reference.pull_tag}
        if checked.platform:
            params["platform"] = checked.platform
        login = registry_auth_header(checked)
        headers = {"X-Registry-Auth": login} if login else {}
        # The SDK's pull() hides the response, and closing the response is how a pull is
        # cancelled (as Ctrl+C does).
        response = api.post(
            api_url(api, "/images/create"), params=params, headers=headers, stream=True,
            timeout=None,
        )  # fmt: skip
        raise_for_status(response)
    return response, json_messages(response)


def push_stream(checked: CheckedPush) -> tuple[Any, Iterator[dict]]:
    """Start `docker push`: the open response (close it to cancel) and its decoded messages,
    as ``pull_stream``."""
    reference = require(checked, CheckedPush).reference
    with translated_errors():
        api = client()
        # The engine wants the header even with no login: `{}` is the CLI's anonymous one.
        login = _auth_header(checked.auth) or auth.encode_header({}).decode()
        response = api.post(
            api_url(api, f"/images/{quote(reference.repository, safe='/:')}/push"),
            params={"tag": reference.tag or "latest"},
            headers={"X-Registry-Auth": login},
            stream=True,
            timeout=None,
        )
        raise_for_status(response)
    return response, json_messages(response)


def json_messages(response: requests.Response) -> Iterator[dict]:
    """The decoded messages of a pull's, a push's or a build's answer, as they come."""
    with translated_errors():  # the engine or the registry gone midway
        # Each progress message is a chunk of its own: read them as they come, not by the buffer.
        yield from json_stream(response.iter_content(chunk_size=None))


@engine_call
def image_history(ref: str) -> list[dict[str, Any]]:
    return client().history(ref)


@engine_call
def containers_using_image(image_id: str) -> list[dict[str, Any]]:
    return client().containers(all=True, filters={"ancestor": image_id})


@engine_call
def tag_image(ref: str, repository: str, tag: str) -> None:
    client().tag(ref, repository, tag)


@engine_call
def remove_image(ref: str, force: bool) -> list[dict[str, Any]]:
    return client().remove_image(ref, force=force)


@engine_call
def prune_dangling_images(label: str = "") -> dict[str, Any]:
    filters: dict[str, Any] = {"dangling": True}
    if label:
        filters["label"] = [label]
    return client().prune_images(filters=filters)
