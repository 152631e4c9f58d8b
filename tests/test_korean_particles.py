"""Korean particles chosen by the word a lab fills in, as a reader expects them."""

import pytest

from dashboard.notation.korean import particles


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("`mycentos-joon`을(를) 시작하세요", "`mycentos-joon`을 시작하세요"),
        ("`mycentos-mina`을(를) 시작하세요", "`mycentos-mina`를 시작하세요"),
        ("`docker pull centos:7`와(과) 같습니다", "`docker pull centos:7`과 같습니다"),
        ("`busybox:1.36`와(과) 같습니다", "`busybox:1.36`과 같습니다"),
        ("`alpine:3.19`와(과) 같습니다", "`alpine:3.19`와 같습니다"),
        ("`centos:7`(으)로 만드세요", "`centos:7`로 만드세요"),  # 칠: ㄹ takes 로
        ("`centos:6`(으)로 만드세요", "`centos:6`으로 만드세요"),
        ("`ubuntu`(으)로 만드세요", "`ubuntu`로 만드세요"),
        ("**컨테이너**이(가) 멈춥니다", "**컨테이너**가 멈춥니다"),
        ("이미지은(는) 읽기 전용", "이미지는 읽기 전용"),
        ("레이어 `layer`은(는)", "레이어 `layer`는"),  # r: 레이어
        ("`mail`(으)로", "`mail`로"),
        ("(으)로 시작하는 줄", "(으)로 시작하는 줄"),  # no word before it: left alone
        ("값 을(를) 쓰세요", "값 을(를) 쓰세요"),
    ],
)
def test_the_particle_fits_the_word(written: str, read: str) -> None:
    assert particles(written) == read


@pytest.mark.django_db
def test_the_bundled_lab_reads_right_for_each_learner_and_image(
    instructor, member, team, lab_image: str
) -> None:
    from labs import actions
    from labs.models import Lab
    from tests.harness.accounts import signed_in

    version = Lab.objects.get(slug="docker-engine").latest()
    lab_class = actions.open_class(instructor, version, team, {"image": lab_image})
    session = actions.start_session(member, lab_class)
    client = signed_in(member)
    client.cookies["django_language"] = "ko"
    html = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f"docker pull {lab_image}</code>과 같습니다" in html  # …:7, 칠
    assert f"<code>{lab_image}</code>로 <code>-i</code>" in html
    assert "<code>mycentos-member</code>를 시작하세요" in html  # 멤버
    assert "(으)로" not in html and "을(를)" not in html and "와(과)" not in html
