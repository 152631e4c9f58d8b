"""Add and remove engines (`manage.py engine` and the engines page alike); administrators only,
and every change and refusal in the audit log."""

from decimal import Decimal

from django.utils.translation import gettext_lazy

from dashboard.access.roles import User, require_administrator
from dashboard.actions import audit
from dashboard.engine import registry

ADMINISTRATORS_ONLY = gettext_lazy("Only administrators manage engines.")


def administrator_only(user: User | None, action: str, name: str) -> None:
    """``Denied`` (and a refusal in the log) unless the user is an administrator; None is the
    command line's operator, who administers the host itself."""
    if user is not None:
        with audit.denials_recorded(user, action, target_kind="engine", target_name=name):
            require_administrator(user, str(ADMINISTRATORS_ONLY))


def add(
    user: User | None,
    name: str,
    address: str,
    tls_files: dict[str, bytes] | None,
    actor: str = "",
    overcommit: Decimal | None = None,
) -> None:
    """Add an engine by address; ``EngineConfigError`` says why it cannot be."""
    administrator_only(user, "engine-add", name)
    registry.add(name, address, tls_files, overcommit)
    audit.record(
        user, "engine-add", target_kind="engine", target_name=name, command=address,
        actor_name=actor,
    )  # fmt: skip


def set_overcommit(user: User | None, name: str, ratio: Decimal | None, actor: str = "") -> None:
    administrator_only(user, "engine-change", name)
    registry.set_overcommit(name, ratio)
    audit.record(
        user, "engine-change", target_kind="engine", target_name=name,
        command=f"overcommit {'default' if ratio is None else ratio}", actor_name=actor,
    )  # fmt: skip


def remove(user: User | None, name: str, actor: str = "") -> None:
    """Forget an engine (its containers stay); ``EngineConfigError`` for one that cannot go."""
    administrator_only(user, "engine-remove", name)
    registry.remove(name)
    audit.record(user, "engine-remove", target_kind="engine", target_name=name, actor_name=actor)
