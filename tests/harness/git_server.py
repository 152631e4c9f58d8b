"""A Git repository served on loopback over HTTP (git's own "dumb" protocol: a plain file
server after `git update-server-info`), with a working copy to commit to."""

import http.server
import os
import subprocess
import threading
from functools import partial
from pathlib import Path

GIT_ENV = {
    "PATH": os.environ["PATH"],
    "HOME": "/nonexistent",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


class Repository:
    def __init__(self, root: Path) -> None:
        self.work, self.bare = root / "work", root / "served" / "stack.git"
        (root / "served").mkdir()
        self.server, port = serve(root / "served")
        self.url = f"http://127.0.0.1:{port}/stack.git"
        self.work.mkdir()
        self.git("init", "-q", "-b", "main")
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.bare)],
                       env=GIT_ENV, check=True)  # fmt: skip

    def git(self, *args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=cwd or self.work, env=GIT_ENV, capture_output=True, check=True
        )
        return done.stdout.decode().strip()

    def commit(self, files: dict[str, str]) -> str:
        for name, text in files.items():
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", "change")
        self.git("push", "-q", str(self.bare), "main")
        self.git("update-server-info", cwd=self.bare)
        return self.git("rev-parse", "HEAD")

    def close(self) -> None:
        self.server.shutdown()


def serve(directory: Path, handler=None) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = handler or partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]
