"""Lab templates: import (upload and command), validation with the line, the policy at import,
parameters at opening, versions and download, the bundled lab."""

import io
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from dashboard.models import Team
from labs import actions
from labs.library import import_template
from labs.models import Lab, LabClass
from labs.template import TemplateError, parse
from tests.harness.accounts import signed_in

MINIMAL = """\
slug = "minimal"
title = "Minimal"

[[steps]]
title = "Look"
[[steps.checks]]
kind = "engine"
image = "busybox"
"""


def _error(source: str) -> TemplateError:
    with pytest.raises(TemplateError) as raised:
        parse(source)
    return raised.value


def test_a_toml_syntax_error_names_its_line() -> None:
    error = _error(MINIMAL.replace('title = "Look"', 'title = "Look'))
    assert error.line == 5
    assert error.message.startswith("line 5: not valid TOML")


def test_a_mistake_in_a_nested_table_names_its_line() -> None:
    source = MINIMAL + '\n[[steps]]\ntitle = "Two"\n[[steps.checks]]\nkind = "shell"\n'
    error = _error(source)
    assert error.line == 13
    assert "kind is exec, engine or command" in error.message


def test_an_unknown_key_names_its_line() -> None:
    error = _error(MINIMAL.replace('title = "Minimal"', 'title = "Minimal"\ncolour = "red"'))
    assert (error.line, "Unknown key colour" in error.message) == (3, True)


def test_a_privileged_service_is_refused_at_import(instructor: User) -> None:
    source = MINIMAL + '\n[[services]]\nname = "box"\nimage = "busybox"\nprivileged = true\n'
    with pytest.raises(TemplateError) as raised:
        import_template(source, instructor)
    assert raised.value.line == 13
    assert "--privileged is not allowed" in raised.value.message
    assert not Lab.objects.filter(slug="minimal").exists()


def test_an_image_the_team_does_not_allow_is_refused_at_import(
    instructor: User, team: Team
) -> None:
    source = MINIMAL + '\n[[services]]\nname = "box"\nimage = "docker.io/library/nginx"\n'
    with pytest.raises(TemplateError) as raised:
        import_template(source, instructor)
    assert "not on the list of images team" in raised.value.message


def test_memory_above_the_team_maximum_is_refused_at_import(
    instructor: User, team: Team, busybox: str
) -> None:
    source = MINIMAL + f'\n[[services]]\nname = "box"\nimage = "{busybox}"\nmemory = "8g"\n'
    with pytest.raises(TemplateError) as raised:
        import_template(source, instructor)
    assert "asks for 8.0 GiB" in raised.value.message or "8 GiB" in raised.value.message


def test_an_undeclared_placeholder_is_refused() -> None:
    error = _error(MINIMAL.replace('image = "busybox"', 'image = "${nope}"'))
    assert (error.line, "${nope} is not a parameter" in error.message) == (8, True)


def test_each_import_is_a_new_version_and_a_class_keeps_its_own(
    small_lab_source: str, instructor: User, team: Team
) -> None:
    first = import_template(small_lab_source, instructor)
    lab_class = actions.open_class(instructor, first, team, {})
    second = import_template(small_lab_source.replace("A small lab", "A changed lab"), instructor)
    assert (first.number, second.number) == (1, 2)
    assert str(LabClass.objects.get(pk=lab_class.pk).template.title) == "A small lab"


def test_parameters_are_checked_and_applied_when_a_class_opens(
    small_lab_source: str, instructor: User, team: Team
) -> None:
    version = import_template(small_lab_source, instructor)
    with pytest.raises(actions.LabError, match="greeting must match"):
        actions.open_class(instructor, version, team, {"greeting": "Hi there!"})
    with pytest.raises(actions.LabError, match="no parameter colour"):
        actions.open_class(instructor, version, team, {"colour": "red"})
    lab_class = actions.open_class(instructor, version, team, {"greeting": "bonjour"})
    assert lab_class.parameters["greeting"] == "bonjour"
    assert lab_class.parameters["image"].endswith(
        "/dockboard-test/busybox:" + lab_class.parameters["image"].rsplit(":", 1)[1]
    )


def test_the_upload_shows_the_line_of_a_mistake(instructor: User) -> None:
    upload = io.BytesIO(MINIMAL.replace('kind = "engine"', 'kind = "magic"').encode())
    upload.name = "lab.toml"
    response = signed_in(instructor).post("/labs/import/", {"file": upload})
    assert response.status_code == 400
    assert "line 7: kind is exec, engine or command." in response.content.decode()


def test_an_upload_imports_and_the_download_gives_it_back(
    small_lab_source: str, instructor: User, team: Team
) -> None:
    upload = io.BytesIO(small_lab_source.encode())
    upload.name = "lab.toml"
    client = signed_in(instructor)
    response = client.post("/labs/import/", {"file": upload})
    slug = parse(small_lab_source).slug
    assert response.status_code == 302 and response.url == f"/labs/{slug}/"
    page = client.get(f"/labs/{slug}/").content.decode()
    assert "A small lab" in page and "Make a file" in page
    download = client.get(f"/labs/{slug}/v1.toml")
    assert download.content.decode() == small_lab_source


def test_members_and_outsiders_neither_import_nor_read_the_library(
    small_lab_source: str, member: User, outsider: User, instructor: User
) -> None:
    import_template(small_lab_source, instructor)
    slug = parse(small_lab_source).slug
    for user in (member, outsider):
        client = signed_in(user)
        assert client.get(f"/labs/{slug}/").status_code == 404
        assert client.get(f"/labs/{slug}/v1.toml").status_code == 404
        upload = io.BytesIO(small_lab_source.encode())
        upload.name = "lab.toml"
        assert client.post("/labs/import/", {"file": upload}).status_code == 403


def test_the_bundled_lab_is_installed_in_both_languages(db: None) -> None:
    call_command("migrate", "labs", verbosity=0)
    template = Lab.objects.get(slug="docker-engine").latest().template
    assert len(template.steps) == 8
    assert template.title.ko == "도커 엔진: 이미지와 컨테이너"
    assert all(step.checks and step.title.ko != step.title.en for step in template.steps)
    assert [p.default for p in template.parameters] == ["centos:7"]


def test_importlab_and_openclass_from_the_command_line(
    tmp_path, small_lab_source: str, team: Team, transactional_db: None
) -> None:
    path = tmp_path / "lab.toml"
    path.write_text(small_lab_source)
    imported = subprocess.run(
        [sys.executable, "-m", "django", "importlab", str(path)],
        capture_output=True, text=True, check=True,
        env=_command_env(),
    )  # fmt: skip
    slug = parse(small_lab_source).slug
    assert imported.stdout.split() == [slug, "1"]
    opened = subprocess.run(
        [sys.executable, "-m", "django", "openclass", slug, "--team", team.name,
         "--param", "greeting=salut", "--minutes", "45", "--idle-minutes", "5"],
        capture_output=True, text=True, check=True, env=_command_env(),
    )  # fmt: skip
    lab_class = LabClass.objects.get()
    assert opened.stdout.strip() == f"/classes/{lab_class.pk}/"
    assert (lab_class.minutes, lab_class.idle_minutes) == (45, 5)
    assert lab_class.parameters["greeting"] == "salut"
    bad = path.with_name("bad.toml")
    bad.write_text(MINIMAL.replace('kind = "engine"', "kind = 3"))
    refused = subprocess.run(
        [sys.executable, "-m", "django", "importlab", str(bad)],
        capture_output=True, text=True, env=_command_env(),
    )  # fmt: skip
    assert refused.returncode == 1 and "line 7: kind must be text." in refused.stderr


def _command_env() -> dict[str, str]:
    import os

    from django.db import connection

    from tests.harness.database import database_url

    return {
        **os.environ,
        "DOCKBOARD_DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
    }


def test_an_instructor_opens_a_class_from_the_lab_page(
    small_lab_source: str, instructor: User, team: Team, member: User
) -> None:
    slug = import_template(small_lab_source, instructor).lab.slug
    client = signed_in(instructor)
    fields = {"team": team.pk, "minutes": 20, "idle_minutes": 3, "sessions_per_learner": 2,
              "join_code": "on", "param_image": "", "param_greeting": "salut"}  # fmt: skip
    refused = client.post(f"/labs/{slug}/", {**fields, "param_greeting": "Not OK"})
    assert refused.status_code == 400
    opened = client.post(f"/labs/{slug}/", fields)
    lab_class = LabClass.objects.get()
    assert opened.url == f"/classes/{lab_class.pk}/"
    assert (lab_class.minutes, lab_class.idle_minutes, lab_class.sessions_per_learner) == (20, 3, 2)
    assert lab_class.parameters["greeting"] == "salut" and len(lab_class.join_code) == 6
    roster = client.get(opened.url).content.decode()
    assert lab_class.join_code in roster and "No learner has started yet." in roster
    learner = signed_in(member)
    assert learner.get(f"/labs/{slug}/").status_code == 404
    assert learner.get(opened.url).status_code == 404  # the roster is the teacher's
    assert "Start lab" in learner.get("/labs/").content.decode()
