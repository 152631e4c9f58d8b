import re

from django.contrib.auth.models import User

NOT_IN_A_NAME = re.compile(r"[^\w.@+-]")


def free_username(wanted: str) -> str:
    """A user name for someone a directory brings, as it names them, with a number added if a
    local account or another person has it already."""
    base = NOT_IN_A_NAME.sub("", wanted)[:140] or "user"
    name, number = base, 1
    while User.objects.filter(username__iexact=name).exists():
        number += 1
        name = f"{base}-{number}"
    return name
