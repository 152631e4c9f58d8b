"""The engine as users' engines are: what the `docker` CLI, image authors and time leave there,
none of it made through Dockboard. Every suite runs over it (a session fixture), so a page that
only works on Dockboard's own containers fails the whole run, not a user.

Everything here carries ``WORLD_KEY=RUN_ID`` (not the per-test label, which each test's clean-up
removes) and is removed at the end of the session."""

import contextlib
import hashlib
import tempfile
import time
from dataclasses import dataclass, field

import docker

from tests.harness.images import build_busybox_image, push
from tests.harness.run import RUN_ID

WORLD_KEY = "dockboard-test-world"
WORLD_LABEL = f"{WORLD_KEY}={RUN_ID}"
MANY = 101  # one more than a page of anything
# Labels an image author, or anyone with the CLI, can write: they claim a user, a team, a lab
# session and an installation, and must give nobody anything.
CLAIMS = {
    "dockboard.owner": "1",
    "dockboard.team": "1",
    "dockboard.lab.session": "1",
    "dockboard.installation": "0" * 32,
    "dockboard.expires": "1",
}
SECOND = 1_000_000_000  # the Engine API's durations are in nanoseconds
# A bridge network per /28 of a 10.x.0.0/16 of this run's own: explicit subnets leave the
# engine's default address pools (room for about 30 networks) to the tests.
SUBNET_OCTET = 20 + int(hashlib.sha256(RUN_ID.encode()).hexdigest(), 16) % 200


@dataclass
class World:
    base: str = ""  # the busybox image the world's containers run (without the test label,
    # which every container of the tests' image inherits, and each test's clean-up removes)
    containers: dict[str, str] = field(default_factory=dict)  # state -> container id
    images: dict[str, str] = field(default_factory=dict)  # kind -> image id
    digest_reference: str = ""  # how the digest-only image is named: repository@sha256:…
    volumes: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)  # ids
    host_directory: str = ""  # the bind mount's source
    running: set[str] = field(default_factory=set)  # states that stay up
    paused: set[str] = field(default_factory=set)

    def names(self, engine: docker.DockerClient) -> dict[str, str]:
        """Container name by state."""
        return {state: engine.containers.get(cid).name for state, cid in self.containers.items()}

    def keep_states(self, engine: docker.DockerClient) -> None:
        """Bring the long-lived states back after a test restarted the engine (which stops
        every container): up what should be up, paused what should be paused."""
        for state in self.running | self.paused:
            container = engine.containers.get(self.containers[state])
            if container.status in {"exited", "created"}:
                container.start()
        for state in self.paused:
            container = engine.containers.get(self.containers[state])
            container.reload()
            if container.status == "running":
                container.pause()


def _images(engine: docker.DockerClient, registry: str, world: World) -> None:
    def build(kind: str, tag: str, more: dict[str, str] | None = None) -> str:
        return build_busybox_image(engine, tag, {WORLD_KEY: RUN_ID, "kind": kind, **(more or {})})

    world.base = f"dockboard-test/world-busybox:{RUN_ID}"
    world.images["base"] = build("base", world.base)
    world.images["labelled"] = build("labelled", f"dockboard-test/world-claims:{RUN_ID}", CLAIMS)
    many = build("many-tags", f"dockboard-test/world-tags:{RUN_ID}")
    image = engine.images.get(many)
    for number in range(12):
        image.tag(f"dockboard-test/world-tags-{number}", tag=RUN_ID)
    world.images["many-tags"] = many
    # Pulled by digest, then the tag it was pushed with removed: `<none>` tag, a digest.
    pushed = f"{registry}/dockboard-test/world-digest:{RUN_ID}"
    build("digest-only", pushed)
    push(engine, pushed)
    digest = engine.images.get_registry_data(pushed).id
    engine.images.remove(pushed, force=True)
    world.digest_reference = f"{registry}/dockboard-test/world-digest@{digest}"
    world.images["digest-only"] = engine.images.pull(world.digest_reference).id
    # Built again under the same tag: the first build is left dangling, `<none>:<none>`.
    tag = f"dockboard-test/world-dangling:{RUN_ID}"
    world.images["dangling"] = build("dangling", tag, {"build": "1"})
    build("dangling", tag, {"build": "2"})


def _health(command: str) -> dict:
    """A check every 5 s: its state is known soon, and the engine is not kept busy with execs
    under the timing-sensitive suites."""
    return {"test": ["CMD", command], "interval": 5 * SECOND, "retries": 1}


def _containers(engine: docker.DockerClient, world: World) -> None:
    labels = {WORLD_KEY: RUN_ID}

    def make(state: str, command: list[str] | None = None, **options):
        options.setdefault("init", True)  # a quick stop: sleep ignores SIGTERM as PID 1
        options["labels"] = {**labels, **options.get("labels", {})}
        container = engine.containers.create(
            options.pop("image", world.base), command,
            name=f"world-{state}-{RUN_ID}", **options,
        )  # fmt: skip
        world.containers[state] = container.id
        return container

    sleep = ["sleep", "86400"]
    world.host_directory = tempfile.mkdtemp(prefix="dockboard-world-")
    volume = engine.volumes.create(f"world-mounted-{RUN_ID}", labels=labels)
    world.volumes.append(volume.name)
    up = {
        "bind-mount": make(
            "bind-mount", sleep, volumes={world.host_directory: {"bind": "/host", "mode": "rw"}}
        ),
        "named-volume": make("named-volume", sleep, volumes={volume.name: {"bind": "/data"}}),
        "tmpfs": make("tmpfs", sleep, tmpfs={"/scratch": "size=1m"}),
        "healthy": make("healthy", sleep, healthcheck=_health("true")),
        "unhealthy": make("unhealthy", sleep, healthcheck=_health("false")),
        "restart-loop": make(
            "restart-loop", ["sh", "-c", "echo crashing; exit 3"], restart_policy={"Name": "always"}
        ),
        "shell": make("shell", ["sh"], init=False, tty=True, stdin_open=True),
        "claims": make("claims", sleep, labels=CLAIMS),
        "from-labelled-image": make("from-labelled-image", sleep, image=world.images["labelled"]),
        "published-port": make("published-port", sleep, ports={"8080/tcp": ("127.0.0.1", None)}),
        "odd.name_1": make("odd.name_1", sleep),
    }
    for container in up.values():
        container.start()
    world.running = set(up) - {"restart-loop"}
    paused = make("paused", sleep)
    paused.start()
    paused.pause()
    world.paused = {"paused"}
    make("created", sleep)
    killed = make("killed-137", sleep)
    killed.start()
    killed.kill()
    oom = make(
        "oom-killed", ["sh", "-c", "x=$(head -c 64000000 /dev/zero | tr '\\0' a)"],
        mem_limit="8m", memswap_limit="8m",
    )  # fmt: skip
    oom.start()
    make("exited-0", ["true"]).start()
    deadline = time.monotonic() + 30
    while any(
        engine.containers.get(world.containers[s]).status != "exited"
        for s in ("killed-137", "oom-killed", "exited-0")
    ):
        if time.monotonic() > deadline:  # an engine without a memory cgroup kills nothing
            with contextlib.suppress(docker.errors.APIError):
                oom.kill()
            break
        time.sleep(0.2)


def _volumes_and_networks(engine: docker.DockerClient, world: World) -> None:
    labels = {WORLD_KEY: RUN_ID}
    options = engine.volumes.create(
        f"world-tmpfs-{RUN_ID}", driver="local", labels=labels,
        driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=1m"},
    )  # fmt: skip
    world.volumes.append(options.name)
    for number in range(MANY):
        world.volumes.append(engine.volumes.create(f"world-{number}-{RUN_ID}", labels=labels).name)
    for number in range(MANY):
        pool = docker.types.IPAMPool(subnet=f"10.{SUBNET_OCTET}.{number}.0/28")
        network = engine.networks.create(
            f"world-{number}-{RUN_ID}", labels=labels,
            ipam=docker.types.IPAMConfig(pool_configs=[pool]),
        )  # fmt: skip
        world.networks.append(network.id)


def build_world(engine: docker.DockerClient, registry: str) -> World:
    world = World()
    _images(engine, registry, world)
    _volumes_and_networks(engine, world)
    _containers(engine, world)
    return world


def remove_world(engine: docker.DockerClient) -> None:
    selector = {"label": WORLD_LABEL}
    for container in engine.containers.list(all=True, filters=selector):
        container.remove(force=True, v=True)
    for network in engine.networks.list(filters=selector):
        with contextlib.suppress(docker.errors.NotFound):
            network.remove()
    for volume in engine.volumes.list(filters=selector):
        with contextlib.suppress(docker.errors.NotFound):
            volume.remove(force=True)
    images = engine.images.list(all=True, filters=selector)
    for image in sorted(images, key=lambda i: i.attrs["Created"], reverse=True):
        with contextlib.suppress(docker.errors.NotFound):
            engine.images.remove(image.id, force=True)
