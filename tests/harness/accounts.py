"""The tests' people: a password they share, a role on a team, and a signed-in browser or a
websocket's session cookie."""

from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import Membership, Team

PASSWORD = "correct horse battery staple 42"


def join(user: User, team: Team, role: str) -> User:
    Membership.objects.create(user=user, team=team, role=role)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_cookie(user: User) -> bytes:
    """A session cookie for websocket clients."""
    return f"sessionid={signed_in(user).cookies['sessionid'].value}".encode()
