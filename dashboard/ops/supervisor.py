"""Run several processes as one: stop all when asked, or when any of them stops by itself."""

import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

GRACE_SECONDS = 10.0


def _stop(processes: Mapping[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _restore_default_signals() -> None:
    # A shell that started us with `&` may have left SIGINT ignored; children must obey Ctrl+C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_together(commands: Mapping[str, Sequence[str]]) -> int:
    """Start every command; return 0 when stopped by a signal, 1 when one of them exited."""
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = {
        name: subprocess.Popen(command, preexec_fn=_restore_default_signals)  # noqa: S603
        for name, command in commands.items()
    }
    try:
        while not stop_requested:
            for name, process in processes.items():
                if (code := process.poll()) is not None:
                    others = ", ".join(n for n in processes if n != name)
                    print(
                        f"dockboard: the {name} exited with code {code}; stopping the {others}.",
                        file=sys.stderr,
                        flush=True,
                    )
                    return 1
            time.sleep(0.2)
        return 0
    finally:
        _stop(processes)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
