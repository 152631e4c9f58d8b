"""`manage.py rotatevaultkeys`: a new key for the stored secrets (registry passwords), every
secret encrypted again with it, then the old keys dropped. Run it after a key may have leaked,
or on a schedule; a rotation cut short leaves every secret readable."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dashboard.models import RegistryLogin
from dashboard.ops import vault


class Command(BaseCommand):
    help = "Encrypt every stored secret with a new key, and drop the old keys."

    def handle(self, *args: object, **options: object) -> None:
        vault.add_key()
        try:
            with transaction.atomic():
                logins = list(RegistryLogin.objects.select_for_update())
                for login in logins:
                    login.secret = vault.reencrypt(login.secret)
                RegistryLogin.objects.bulk_update(logins, ["secret"])
        except vault.VaultError as exc:
            raise CommandError(f"Nothing was changed; the old keys are kept: {exc}") from None
        vault.drop_old_keys()
        self.stdout.write(f"{len(logins)} secrets encrypted with a new key; the old keys are gone.")
