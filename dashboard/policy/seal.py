"""The policy gate's seal: whoever holds it makes the values the engine gateway takes
(``dashboard.policy.sealed``). Only the modules of ``dashboard.policy`` may import it."""

SEAL = object()
