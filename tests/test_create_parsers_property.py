"""Property: the create form takes what `docker create` takes, and makes the same container.
For memory, CPUs, a published port and the restart policy, the same text goes to the CLI and to
the form (as an administrator, whom no team policy limits): both refuse it, or both create a
container whose settings the engine reports alike."""

import contextlib
import subprocess
import uuid

import docker
import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import bad_inputs
from tests.harness.run import TEST_LABEL

FLAGS = {"memory": "--memory", "cpus": "--cpus", "ports": "--publish", "restart": "--restart"}
TEXTS = {
    "memory": st.one_of(
        st.from_regex(r"\A[0-9]{0,12}(\.[0-9]{1,3})?[bkmgBKMG]?[bB]?\Z"),
        st.text(alphabet="0123456789.kmgbKMGB -", max_size=8),
    ),
    # Plain decimals: the CLI also reads `1e0` and `1/2`, which the form refuses with a message.
    "cpus": st.one_of(
        st.from_regex(r"\A-?[0-9]{0,3}(\.[0-9]{0,10})?\Z"),
        st.sampled_from(["-1", "abc", "1.2.3", ".5", "5.", "0.001", "1025", "0.0000000001"]),
    ),
    # One port a line: ranges, and a container port of 0, the CLI takes and the form refuses.
    "ports": st.from_regex(
        r"\A((127\.0\.0\.1|0\.0\.0\.0|::1|x):)?([0-9]{0,6}:)?[1-9][0-9]{0,5}(/(tcp|udp|sctp|x))?\Z"
    ),
    "restart": st.one_of(
        st.sampled_from(["always", "unless-stopped", "on-failure", "on-failure:3", "never"]),
        st.from_regex(r"\A(no|always|on-failure)(:-?[0-9x]{0,3})?\Z"),
    ),
}
SHOWN = {
    "memory": lambda host: host["Memory"],
    "cpus": lambda host: host["NanoCpus"],
    "ports": lambda host: host["PortBindings"],
    "restart": lambda host: host["RestartPolicy"],
}


def by_cli(busybox: str, field: str, text: str, name: str) -> bool:
    """A form field's text is stripped, and an empty one is as good as the flag left out."""
    flag = [FLAGS[field], text.strip()] if text.strip() else []
    command = ["docker", "create", "--label", TEST_LABEL, "--name", name, *flag, busybox]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def by_form(client: Client, busybox: str, field: str, text: str, name: str) -> bool:
    fields = {"image": busybox, "name": name, "labels": TEST_LABEL, "create": "1", field: text}
    response = client.post("/engines/local/containers/new/", fields)
    assert response.status_code in {302, 400}, (response.status_code, field, text)
    return response.status_code == 302


@pytest.mark.django_db
@settings(max_examples=40)
@given(data=st.data())
@pytest.mark.parametrize("field", list(FLAGS))
def test_the_form_takes_what_the_cli_takes(
    admin_client: Client, engine: docker.DockerClient, busybox: str, field: str, data
) -> None:
    text = data.draw(TEXTS[field], label=field)
    run = uuid.uuid4().hex[:8]
    try:
        cli = by_cli(busybox, field, text, f"cli-{run}")
        ours = by_form(admin_client, busybox, field, text, f"ours-{run}")
        assert ours == cli, f"{field}={text!r}: the CLI {'took' if cli else 'refused'} it"
        if not ours:
            bad_inputs.tried(f"create form {field}", text)
            return
        theirs = engine.api.inspect_container(f"cli-{run}")["HostConfig"]
        mine = engine.api.inspect_container(f"ours-{run}")["HostConfig"]
        assert SHOWN[field](mine) == SHOWN[field](theirs), (field, text)
    finally:
        for name in (f"cli-{run}", f"ours-{run}"):
            with contextlib.suppress(docker.errors.NotFound):
                engine.api.remove_container(name, force=True)
