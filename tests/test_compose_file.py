"""Reading a compose file as docker-compose 1.29 does: interpolation from the stack's .env alone,
the specification's schema, the services in start order, and an error naming the line for
everything a stack would not carry out."""

import pytest

from dashboard.notation.compose_file import ComposeError, read, read_env
from dashboard.notation.compose_project import project


def services(text: str, env: str = "", name: str = "demo") -> dict:
    return {s.name: s for s in project(name, read(text, env)).services}


def error_of(text: str, env: str = "") -> str:
    with pytest.raises(ComposeError) as caught:
        project("demo", read(text, env))
    return str(caught.value)


def test_variables_come_from_the_env_text_and_never_from_the_server(monkeypatch) -> None:
    monkeypatch.setenv("SERVER_SECRET", "s3cret")
    text = """services:
  app:
    image: "${REGISTRY:-127.0.0.1:5000}/app:${TAG}"
    environment:
      SECRET: ${SERVER_SECRET}
      PRICE: $$5
      EMPTY: ${UNSET-fallback}
      BLANK: ${BLANK:-was blank}
"""
    app = services(text, "TAG=3\nBLANK=\n# a comment\nexport OTHER='quoted'\n")["app"]
    assert app.image == "127.0.0.1:5000/app:3"
    assert sorted(app.environment) == ["BLANK=was blank", "EMPTY=fallback", "PRICE=$5", "SECRET="]
    assert read_env("A='x y'\nB=\"z\"\n") == {"A": "x y", "B": "z"}


def test_a_required_variable_names_its_line() -> None:
    text = "services:\n  app:\n    image: app\n    user: ${WHO:?set WHO first}\n"
    assert error_of(text) == "Line 4: set WHO first"
    assert error_of("services:\n  app:\n    image: ${}\n").startswith(
        "Line 3: Invalid interpolation"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services: [1", "Line 1: expected ',' or ']'"),
        ("- a\n- b\n", "Line 1: A compose file is a mapping"),
        (
            "services:\n  app:\n    image: a\n    portz: [1]\n",
            "Line 4: 'portz' is not a compose key",
        ),
        ("services:\n  app:\n    image: a\n    cpus: [1]\n", "Line 4: services.app.cpus:"),
        ("services:\n  app:\n    build: .\n", "Line 3: build is not supported"),
        ("services:\n  app:\n    image: a\nsecrets: {}\n", "Line 4: secrets is not supported"),
        ("services:\n  app:\n    image: a\n    ports: ['1-3:1-3']\n", "Line 4: Invalid port"),
        ("services:\n  app:\n    image: a\n    volumes: ['./x:/x']\n", "Line 4: A stack has no"),
        ("services:\n  app:\n    image: a\n    volumes: ['v:/x']\n", "Line 4: Volume v is not"),
        ("services:\n  app:\n    image: a\n    networks: [n]\n", "Line 4: Network n is not"),
        ("services:\n  app:\n    command: x\n", "Line 2: Service app needs an image"),
        (
            "services:\n  a:\n    image: a\n    depends_on: [zz]\n",
            "Line 4: Service a depends on zz",
        ),
        ("services:\n  a:\n    image: a\n    restart: sometimes\n", "Line 4: Invalid restart"),
        ("services:\n  a:\n    image: a\n    mem_limit: lots\n", "Line 4: Invalid size"),
    ],
)
def test_each_fault_names_its_line(text: str, message: str) -> None:
    assert error_of(text).startswith(message)


def test_a_cycle_of_depends_on_is_refused() -> None:
    text = "services:\n  a: {image: a, depends_on: [b]}\n  b: {image: b, depends_on: [a]}\n"
    assert "depends on itself" in error_of(text)


def test_services_start_after_what_they_depend_on() -> None:
    text = """services:
  web: {image: w, depends_on: [api]}
  api: {image: a, depends_on: {db: {condition: service_started}}}
  db: {image: d}
"""
    assert list(services(text)) == ["db", "api", "web"]


def test_names_and_settings_as_docker_compose_gives_them() -> None:
    text = """services:
  web:
    image: w
    command: httpd -f -p "8080"
    ports: ["127.0.0.1:8080:80/udp", "9000", {target: 81, published: 8081}]
    volumes: ["data:/data:ro", "/cache", {type: bind, source: /srv, target: /srv}]
    networks: {back: {aliases: [www]}}
    environment: [A=1, B]
    mem_limit: 64m
    cpus: 0.5
  named: {image: n, container_name: exact}
networks: {back: {}}
volumes: {data: {}, kept: {external: true}}
"""
    result = project("shop", read(text))
    web = next(s for s in result.services if s.name == "web")
    assert web.container_name == "shop_web_1"
    assert web.command == ["httpd", "-f", "-p", "8080"]
    assert [(p.host_ip, p.host_port, p.container_port, p.protocol) for p in web.ports] == [
        ("127.0.0.1", "8080", 80, "udp"),
        ("", "", 9000, "tcp"),
        ("", "8081", 81, "tcp"),
    ]
    assert [(m.source, m.target, m.read_only, m.bind) for m in web.mounts] == [
        ("data", "/data", True, False),
        ("", "/cache", False, False),
        ("/srv", "/srv", False, True),
    ]
    assert [(a.network, a.aliases) for a in web.networks] == [("back", ("web", "www"))]
    assert web.environment == ["A=1", "B"] and web.memory == 64 * 1024**2 and web.cpus == "0.5"
    assert next(s for s in result.services if s.name == "named").container_name == "exact"
    assert [n.name for n in result.networks] == ["shop_default", "shop_back"]
    assert [(v.name, v.external) for v in result.volumes] == [
        ("shop_data", False),
        ("kept", True),
    ]


def test_a_stack_name_is_one_docker_compose_takes() -> None:
    for bad in ("Shop", "-shop", "shop.x", "a" * 64, ""):
        with pytest.raises(ComposeError, match="docker-compose -p"):
            project(bad, read("services:\n  a: {image: a}\n"))


def test_an_override_document_merges_as_a_second_f_file() -> None:
    text = """services:
  web:
    image: w:1
    ports: ["8080:80"]
    environment: [A=1, B=2]
    volumes: ["data:/data", "/cache"]
volumes: {data: {}}
---
services:
  web:
    image: w:2
    ports: ["8443:443"]
    environment: {B: "3"}
    volumes: ["data:/data:ro"]
    user: nobody
"""
    web = services(text)["web"]
    assert web.image == "w:2" and web.user == "nobody"
    assert [p.host_port for p in web.ports] == ["8080", "8443"]
    assert web.environment == ["A=1", "B=3"]
    assert [(m.target, m.read_only) for m in web.mounts] == [("/data", True), ("/cache", False)]
    assert error_of(text + "    portz: 1\n") == (
        "Line 16: 'portz' is not a compose key of services.web."
    )
