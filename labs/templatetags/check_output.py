"""A check's output as a learner reads it: the scripts' ``FAIL:`` mark (how a check script
says which line explains the failure) is for the checker; the page already says "Not yet"."""

from django import template

register = template.Library()
FAIL_MARK = "FAIL:"


@register.filter
def without_fail_marks(output: str) -> str:
    return "\n".join(
        line.removeprefix(FAIL_MARK).lstrip() if line.startswith(FAIL_MARK) else line
        for line in (output or "").splitlines()
    )
