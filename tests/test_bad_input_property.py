"""Property: no form field, URL parameter or method a signed-in member can send gets a 500 or a
traceback. Values: empty, a megabyte, NUL, undecodable bytes, confusable and right-to-left text,
numbers out of range, paths out of the tree, markup, and arbitrary text."""

from collections.abc import Iterator

import docker
import pytest
from django.test import Client
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dashboard.models import Team
from dashboard.policy import labels
from tests import bad_inputs
from tests.routes import every_url

URLS = [url for url in every_url() if url not in {"/accounts/logout/", "/accounts/login/"}]
PARAMETERS = [
    "q", "sort", "page", "state", "dangling", "after", "tail", "since", "sizes", "lang",
    "watch", "container", "next", "engine", "reference", "platform", "kind", "role", "user",
]  # fmt: skip
FIELDS = [
    "name", "image", "command", "entrypoint", "ports", "volumes", "env", "labels", "memory",
    "cpus", "restart", "hostname", "network", "action", "ids", "reference", "platform",
    "target", "driver_options", "subnet", "container", "role", "team", "next", "force",
    "replicas", "answer", "message", "author", "change", "source", "availability", "language",
]  # fmt: skip
SAMPLES = [
    "", " ", "x" * 1_000_000, "\x00", "a\x00b", "\uff53\uff4c\uff45\uff45\uff50", "\u202eexe.txt",
    "\u0663", "\uff18\uff10", "../../etc/passwd", "..", "/", "%00", "' OR 1=1 --",
    "<script>alert(1)</script>", "-1", "0", "1e400", "NaN", "Infinity", "9" * 40, "\ud7ff",
    "\ufeff", "\r\n\r\n", "a" * 256, "sha256:" + "0" * 64, "[]", "{}", "true", "null",
]  # fmt: skip
BAD = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
)
EXAMPLES = settings(max_examples=250)


@pytest.fixture
def nothing_left(engine: docker.DockerClient, team: Team) -> Iterator[None]:
    """What a value the engine took made (a volume named "0", say) is removed afterwards."""
    yield
    made = {"label": f"{labels.TEAM}={team.pk}"}
    for container in engine.containers.list(all=True, filters=made):
        container.remove(force=True)
    for volume in engine.volumes.list(filters=made):
        volume.remove(force=True)
    for network in engine.networks.list(filters=made):
        network.remove()


def answered_without_a_fault(response) -> None:
    assert response.status_code < 500 or response.status_code == 503, response.status_code
    body = b"".join(response) if response.streaming else response.content
    assert b"Traceback" not in body


@pytest.mark.django_db
@EXAMPLES
@given(url=st.sampled_from(URLS), query=st.dictionaries(st.sampled_from(PARAMETERS), BAD))
def test_any_url_parameter(member_client: Client, url: str, query: dict[str, str]) -> None:
    for name, value in query.items():
        bad_inputs.tried(f"GET {url} ?{name}", value)
    answered_without_a_fault(member_client.get(url, query))


@pytest.mark.django_db
@EXAMPLES
@given(url=st.sampled_from(URLS), query=st.sampled_from(["%FF%FE", "%C0%AF", "q=%ED%A0%80"]))
def test_undecodable_query_strings(member_client: Client, url: str, query: str) -> None:
    bad_inputs.tried(f"GET {url} ?", query)
    answered_without_a_fault(member_client.get(f"{url}?{query}"))


@pytest.mark.django_db
@EXAMPLES
@given(url=st.sampled_from(URLS), fields=st.dictionaries(st.sampled_from(FIELDS), BAD))
# Once a 500: a "next" with no slash was taken for a view's name.
@example(url="/engines/local/containers/x/actions/", fields={"name": "", "next": "a\x00b"})
def test_any_form_field(
    member_client: Client, nothing_left: None, url: str, fields: dict[str, str]
) -> None:
    for name, value in fields.items():
        bad_inputs.tried(f"POST {url} {name}", value)
    answered_without_a_fault(member_client.post(url, fields))


@pytest.mark.django_db
@EXAMPLES
@given(url=st.sampled_from(URLS), method=st.sampled_from(["put", "patch", "delete", "options"]))
def test_wrong_methods(member_client: Client, url: str, method: str) -> None:
    bad_inputs.tried(f"{method.upper()} {url}", "")
    response = getattr(member_client, method)(url)
    answered_without_a_fault(response)
    assert response.status_code in {302, 404, 405}, (method, url, response.status_code)
