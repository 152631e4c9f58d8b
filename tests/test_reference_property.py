"""Property: the image reference parser accepts exactly what the engine accepts (its tag call
parses the same grammar), and names what it accepts as the engine does."""

import docker
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.notation.reference import InvalidReference, parse_reference
from tests import bad_inputs

# Digests are left out: the engine refuses to tag with one whatever its form.
PIECE = st.text(alphabet="abcxyzAB0189._-", min_size=0, max_size=8)
DOMAIN = st.one_of(
    st.just(""),
    st.sampled_from(["localhost", "localhost:5000", "127.0.0.1:5000", "docker.io", "Ex.Am-ple:1"]),
    st.text(alphabet="abAB09.-:[]", min_size=1, max_size=12),
)
TAG = st.one_of(st.just(""), st.text(alphabet="abAZ09._-", min_size=0, max_size=10))


@st.composite
def references(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(alphabet="aA0._-/:", min_size=1, max_size=20))  # anything at all
    domain = draw(DOMAIN)
    path = "/".join(draw(st.lists(PIECE, min_size=1, max_size=3)))
    tag = draw(TAG)
    return f"{domain + '/' if domain else ''}{path}{':' + tag if tag else ''}"


@pytest.mark.django_db
@settings(max_examples=300)
@given(text=references())
def test_the_parser_accepts_what_the_engine_accepts(
    engine: docker.DockerClient, busybox: str, text: str
) -> None:
    try:
        ours = parse_reference(text)
    except InvalidReference:
        ours = None
    try:
        engine.api.tag(busybox, text)
    except docker.errors.APIError as refusal:
        # Engine 20.10 answers some of its parse errors with a 500, but says what they are.
        assert "invalid reference format" in str(refusal.explanation), refusal
        bad_inputs.tried("image reference", text)
        assert ours is None, f"{text!r}: we accept what the engine refuses ({refusal.explanation})"
        return
    try:
        assert ours is not None, f"{text!r}: the engine accepts what we refuse"
        tagged = engine.api.inspect_image(str(ours))
        assert tagged["Id"] == engine.images.get(busybox).id
        assert ours.familiar in tagged["RepoTags"]
    finally:
        engine.api.remove_image(str(ours) if ours else text, noprune=True)
