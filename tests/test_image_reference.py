"""Image references normalise exactly as the engine's distribution reference grammar does."""

import pytest

from dashboard.notation.reference import InvalidReference, parse_reference

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "normalised", "familiar"),
    [
        ("ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"),
        ("ubuntu:14.04", "docker.io/library/ubuntu:14.04", "ubuntu:14.04"),
        ("centos:7", "docker.io/library/centos:7", "centos:7"),
        ("user/app", "docker.io/user/app:latest", "user/app:latest"),
        ("docker.io/ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"),
        ("index.docker.io/library/ubuntu:22.04", "docker.io/library/ubuntu:22.04", "ubuntu:22.04"),
        ("localhost/app", "localhost/app:latest", "localhost/app:latest"),
        ("localhost:5000/a/b:v1", "localhost:5000/a/b:v1", "localhost:5000/a/b:v1"),
        ("127.0.0.1:5000/app:1.0", "127.0.0.1:5000/app:1.0", "127.0.0.1:5000/app:1.0"),
        ("registry.example.com/team/app", "registry.example.com/team/app:latest", None),
        ("[::1]:5000/app", "[::1]:5000/app:latest", None),
        ("a__b/c--d/e.f_g", "docker.io/a__b/c--d/e.f_g:latest", None),
        (f"ubuntu@{DIGEST}", f"docker.io/library/ubuntu@{DIGEST}", f"ubuntu@{DIGEST}"),
        (f"ubuntu:20.04@{DIGEST}", f"docker.io/library/ubuntu:20.04@{DIGEST}", None),
        ("app:" + "t" * 128, "docker.io/library/app:" + "t" * 128, None),
        ("app:_under", "docker.io/library/app:_under", None),
        ("Host.Example:5000/app", "Host.Example:5000/app:latest", None),
    ],
)
def test_valid_references(text: str, normalised: str, familiar: str | None) -> None:
    reference = parse_reference(text)
    assert str(reference) == normalised
    if familiar:
        assert reference.familiar == familiar


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("Ubuntu", "must be lowercase"),
        ("user/App", "must be lowercase"),
        ("ubuntu:", "Invalid tag"),
        ("ubuntu:.hidden", "Invalid tag"),
        ("ubuntu:-dash", "Invalid tag"),
        ("app:" + "t" * 129, "Invalid tag"),
        ("ubuntu:a b", "Invalid tag"),
        ("app-/x", "Invalid repository name component"),
        ("app_", "Invalid repository name component"),
        ("a..b", "Invalid repository name component"),
        ("a___b", "Invalid repository name component"),
        ("/app", "Invalid repository name component"),
        ("app/", "Invalid repository name component"),
        ("-host.com/app", "Invalid registry"),
        ("ubuntu@sha256:abc", "Invalid digest"),
        ("ubuntu@md5", "Invalid digest"),
        (":tag", "has no name"),
        ("a" * 256, "longer than 255"),
    ],
)
def test_invalid_references(text: str, message: str) -> None:
    with pytest.raises(InvalidReference) as caught:
        parse_reference(text)
    assert message in caught.value.message


def test_pull_arguments() -> None:
    reference = parse_reference("127.0.0.1:5000/app")
    assert (reference.repository, reference.pull_tag) == ("127.0.0.1:5000/app", "latest")
    pinned = parse_reference(f"app@{DIGEST}")
    assert (pinned.repository, pinned.pull_tag) == ("docker.io/library/app", DIGEST)


def test_a_first_part_that_is_no_registry_but_a_name_is_read_as_the_engine_reads_it() -> None:
    """Found by the property test against the engine: `0.0_0/0` is a name with no registry."""
    reference = parse_reference("0.0_0/0")
    assert (reference.domain, str(reference), reference.familiar) == (
        "",
        "0.0_0/0:latest",
        "0.0_0/0:latest",
    )
