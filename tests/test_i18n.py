"""Korean learners get a Korean UI, chosen from Accept-Language or the header's switcher."""

import docker
import pytest
from django.test import Client

from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of

TEST_LABELS = {LABEL_KEY: RUN_ID}

pytestmark = pytest.mark.django_db


def test_login_page_in_korean(client: Client) -> None:
    response = client.get("/accounts/login/", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    text = text_of(response.content)
    assert "Dockboard에 로그인" in text
    assert "비밀번호" in text  # Django's own catalog: the password label
    assert '<html lang="ko">' in response.content.decode()


def test_overview_in_korean(admin_client: Client, engine: docker.DockerClient) -> None:
    response = admin_client.get("/engines/local/", headers={"Accept-Language": "ko"})
    text = text_of(response.content)
    for korean in ("개요", "컨테이너", "이미지", "실행 중인 컨테이너", "디스크 사용량", "로그아웃"):
        assert korean in text


def test_english_by_default(client: Client) -> None:
    text = text_of(client.get("/accounts/login/").content)
    assert "Log in to Dockboard" in text


def test_switcher_sets_the_language(client: Client) -> None:
    response = client.post(
        "/i18n/setlang/", {"language": "ko", "next": "/accounts/login/"}, follow=True
    )
    assert "Dockboard에 로그인" in text_of(response.content)


def test_engine_down_message_in_korean(member_client: Client, settings) -> None:
    settings.DOCKER_HOST = "unix:///tmp/dockboard-test-no-engine.sock"
    response = member_client.get("/engines/local/", headers={"Accept-Language": "ko"})
    assert response.status_code == 503
    assert "도커 엔진" in text_of(response.content)


def test_terminal_page_in_korean(member_client: Client, make_container) -> None:
    container = make_container(start=False)
    response = member_client.get(
        f"/engines/local/containers/{container.id}/terminal/", HTTP_ACCEPT_LANGUAGE="ko"
    )
    text = text_of(response.content)
    for korean in ("셸 열기", "분리: Ctrl+P 다음 Ctrl+Q", "컨테이너가 실행 중이 아닙니다."):
        assert korean in text
