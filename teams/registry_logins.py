"""A team's registry logins: stored once `docker login` would accept them, their passwords
replaced and removed; each change in the audit log. The password is encrypted at rest and
never shown again."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine import current as engine
from dashboard.engine import images as engine_images
from dashboard.engine.errors import EngineError
from dashboard.models import RegistryLogin, Team
from dashboard.ops import vault


class LoginRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _checked(team: Team, registry: str, engine_name: str, username: str, password: str) -> None:
    """What `docker login` does: the engine asks the registry (on the login's engine, or the
    team's first)."""
    on = engine_name or (team.engine_names or ["local"])[0]
    try:
        with engine.on(on):
            engine_images.check_login(registry, username, password)
    except EngineError as exc:
        raise LoginRefused(
            _("%(registry)s did not accept this login (from engine %(engine)s): %(reason)s")
            % {"registry": registry, "engine": on, "reason": exc.message}
        ) from None


def _audit(user: User, action: str, login: RegistryLogin) -> None:
    where = login.engine or _("every engine")
    audit.record(
        user, action, target_kind="registry", target_id=str(login.pk),
        target_name=login.registry, team_id=login.team_id,
        reason=f"{login.username}, {where}",
    )  # fmt: skip


def add(user: User, team: Team, registry: str, engine_name: str, username: str,
        password: str) -> RegistryLogin:  # fmt: skip
    _checked(team, registry, engine_name, username, password)
    try:
        with transaction.atomic():
            login = RegistryLogin.objects.create(
                team=team, registry=registry, engine=engine_name, username=username,
                secret=vault.encrypt(password), created_by=user,
            )  # fmt: skip
    except IntegrityError:
        raise LoginRefused(
            _("Team %(team)s has a login to %(registry)s there already: replace its password.")
            % {"team": team.name, "registry": registry}
        ) from None
    _audit(user, "registry-login-add", login)
    return login


def replace_password(user: User, login: RegistryLogin, username: str, password: str) -> None:
    _checked(login.team, login.registry, login.engine, username, password)
    login.username, login.secret = username, vault.encrypt(password)
    login.rotated_at = timezone.now()
    login.save(update_fields=["username", "secret", "rotated_at"])
    _audit(user, "registry-login-rotate", login)


def remove(user: User, login: RegistryLogin) -> None:
    _audit(user, "registry-login-remove", login)
    login.delete()
