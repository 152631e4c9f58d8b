"""The engine's words for a container's state and events, as a reader of the page's language
says them ("running" is 실행 in Korean); a word the engine adds later stays as it is."""

from django.utils.translation import pgettext_lazy

STATES = {
    "created": pgettext_lazy("container state", "created"),
    "running": pgettext_lazy("container state", "running"),
    "paused": pgettext_lazy("container state", "paused"),
    "restarting": pgettext_lazy("container state", "restarting"),
    "removing": pgettext_lazy("container state", "being removed"),
    "exited": pgettext_lazy("container state", "stopped"),
    "dead": pgettext_lazy("container state", "dead"),
}
EVENTS = {
    "create": pgettext_lazy("container event", "create"),
    "start": pgettext_lazy("container event", "start"),
    "attach": pgettext_lazy("container event", "attach"),
    "detach": pgettext_lazy("container event", "detach"),
    "stop": pgettext_lazy("container event", "stop"),
    "die": pgettext_lazy("container event", "exit"),
    "kill": pgettext_lazy("container event", "kill"),
    "restart": pgettext_lazy("container event", "restart"),
    "pause": pgettext_lazy("container event", "pause"),
    "unpause": pgettext_lazy("container event", "unpause"),
}


def state_word(state: str) -> str:
    return str(STATES.get(state, state))


def event_word(event: str) -> str:
    return str(EVENTS.get(event, event))
