"""A class invited in one go: a link for each name (or a number of links) from the team's page,
copied together; the open ones listed, and revoked. As instructor (owner), member and outsider."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import AuditEvent, Membership, Team
from teams.models import Invitation
from tests.harness.accounts import signed_in
from tests.pages import text_of

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a long passphrase for 2026"
NAMES = ["kim@example.org", "Lee Min-ji", "박서준"]


def links_of(html: bytes) -> list[tuple[str, str]]:
    """The (who, link) lines of the "Copy all" field."""
    text = re.search(r'<textarea id="invitation-links"[^>]*>(.*?)</textarea>', html.decode(), re.S)
    lines = [line.split("\t") for line in text.group(1).strip("\n").split("\n")]
    return [(who.replace("&#x27;", "'"), link) for who, link in lines]


def join(link: str, username: str) -> int:
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form = {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return Client().post(path, form).status_code


def test_an_instructor_invites_a_list_of_names_at_once(instructor: User, team: Team) -> None:
    names = "\n".join([NAMES[0], "", f"  {NAMES[1]}  ", NAMES[2], NAMES[0]])  # blank, repeat
    response = signed_in(instructor).post(
        f"/teams/{team.pk}/invitations/", {"role": "member", "names": names}
    )
    assert response.status_code == 200
    links = links_of(response.content)
    assert [who for who, _link in links] == NAMES
    assert 'data-copy="#invitation-links"' in response.content.decode()
    for number, (_who, link) in enumerate(links):
        assert join(link, f"learner{number}") == 302
    joined = Membership.objects.filter(team=team, user__username__startswith="learner")
    assert joined.count() == 3 and {m.role for m in joined} == {"member"}
    assert AuditEvent.objects.filter(action="invite", team=team).count() == 3


def test_a_number_of_unnamed_links(instructor: User, team: Team) -> None:
    response = signed_in(instructor).post(
        f"/teams/{team.pk}/invitations/", {"role": "viewer", "count": "30"}
    )
    links = links_of(response.content)
    assert len(links) == 30 and len({link for _who, link in links}) == 30
    assert Invitation.objects.filter(team=team, role="viewer", used_at=None).count() == 30
    page = signed_in(instructor).get(f"/teams/{team.pk}/").content
    assert "30 open invitations" in text_of(page)


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"names": "a\nb", "count": "2"}, "not both"),
        ({"count": "201"}, "less than or equal to 200"),
        ({"names": "\n".join(f"n{i}" for i in range(201))}, "At most 200 invitations"),
    ],
)
def test_too_many_or_both_are_refused_with_the_reason(
    instructor: User, team: Team, form: dict, said: str
) -> None:
    response = signed_in(instructor).post(
        f"/teams/{team.pk}/invitations/", {"role": "member", **form}
    )
    assert response.status_code == 400 and said in text_of(response.content)
    assert not Invitation.objects.exists()


def test_a_revoked_invitation_no_longer_works(instructor: User, team: Team) -> None:
    client = signed_in(instructor)
    response = client.post(f"/teams/{team.pk}/invitations/", {"role": "member", "names": "kim"})
    link = re.search(r'value="([^"]+)" id="invitation-link"', response.content.decode()).group(1)
    invitation = Invitation.objects.get(note="kim")
    page = client.get(f"/teams/{team.pk}/").content.decode()
    assert f'data-invitation="{invitation.pk}"' in page
    revoked = client.post(f"/teams/{team.pk}/invitations/{invitation.pk}/revoke/", follow=True)
    assert "its link no longer works" in text_of(revoked.content)
    assert f'data-invitation="{invitation.pk}"' not in revoked.content.decode()
    assert join(link, "kim") == 404
    row = AuditEvent.objects.get(action="invitation-revoked")
    assert (row.actor_id, row.team_id) == (instructor.pk, team.pk)
    again = client.post(f"/teams/{team.pk}/invitations/{invitation.pk}/revoke/", follow=True)
    assert "no longer open" in text_of(again.content)


def test_members_and_outsiders_may_not_revoke(
    instructor: User, member: User, outsider: User, team: Team
) -> None:
    signed_in(instructor).post(f"/teams/{team.pk}/invitations/", {"role": "member", "count": "1"})
    invitation = Invitation.objects.get()
    for someone in (member, outsider):
        client = signed_in(someone)
        revoke = client.post(f"/teams/{team.pk}/invitations/{invitation.pk}/revoke/")
        assert revoke.status_code in (403, 404)  # a member sees the team; an outsider does not
        page = client.get(f"/teams/{team.pk}/").content.decode()
        assert f'data-invitation="{invitation.pk}"' not in page
    invitation.refresh_from_db()
    assert invitation.is_open
    assert not AuditEvent.objects.filter(action="invitation-revoked").exists()


def test_another_teams_invitation_cannot_be_revoked_through_this_team(
    instructor: User, team: Team
) -> None:
    other = Team.objects.create(name="elsewhere")
    Invitation.objects.create(digest="0" * 64, team=other, role="member")
    invitation = Invitation.objects.get(team=other)
    response = signed_in(instructor).post(
        f"/teams/{team.pk}/invitations/{invitation.pk}/revoke/", follow=True
    )
    assert "no longer open" in text_of(response.content)
    invitation.refresh_from_db()
    assert invitation.is_open
