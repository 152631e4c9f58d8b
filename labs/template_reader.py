"""Reading a parsed TOML lab: typed values, or a ``TemplateError`` that names the line."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from labs.toml_lines import KeyPath, key_lines, line_of

LANGUAGES = ("en", "ko")
FORBIDDEN = {
    "privileged": "--privileged",
    "cap_add": "--cap-add",
    "devices": "--device",
    "volumes": "--volume",
    "mounts": "--mount",
    "network_mode": "--network",
    "network": "--network",
    "ports": "--publish",
    "pid": "--pid",
    "ipc": "--ipc",
    "security_opt": "--security-opt",
    "sysctls": "--sysctl",
    "userns": "--userns",
}


class TemplateError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        where = _("line %(line)d: ") % {"line": line} if line else ""
        super().__init__(where + message)
        self.message = where + message
        self.line = line


@dataclass(frozen=True)
class Text:
    """Words in English and Korean (either may stand in for the other)."""

    en: str
    ko: str

    def __str__(self) -> str:
        return self.ko if (get_language() or "en").startswith("ko") else self.en


class Reader:
    """Reads a parsed document, raising ``TemplateError``s that name the line of a key path."""

    def __init__(self, source: str) -> None:
        self.lines = key_lines(source)

    def fail(self, path: KeyPath, message: str) -> TemplateError:
        return TemplateError(message, line_of(self.lines, path))

    def table(self, value: Any, path: KeyPath, known: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, _("%(key)s must be a table.") % {"key": _name(path)})
        for key in value:
            if key in FORBIDDEN:
                raise self.fail(
                    (*path, key),
                    _("%(option)s is not allowed: Dockboard's policy refuses it to every team.")
                    % {"option": FORBIDDEN[key]},
                )
            if key not in known:
                raise self.fail((*path, key), _("Unknown key %(key)s.") % {"key": key})
        return value

    def string(self, data: dict, path: KeyPath, key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(path, _("%(key)s is missing.") % {"key": _name((*path, key))})
        if not isinstance(value, str):
            raise self.fail((*path, key), _("%(key)s must be text.") % {"key": key})
        return value

    def integer(self, data: dict, path: KeyPath, key: str, default: int, most: int) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
            raise self.fail(
                (*path, key),
                _("%(key)s must be a whole number from 0 to %(most)d.")
                % {"key": key, "most": most},
            )
        return value

    def flag(self, data: dict, path: KeyPath, key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail((*path, key), _("%(key)s must be true or false.") % {"key": key})
        return value

    def text(self, data: dict, path: KeyPath, key: str, *, required: bool = True) -> Text:
        value = data.get(key, None if required else "")
        if isinstance(value, str):
            return Text(value, value)
        if (
            isinstance(value, dict)
            and value
            and set(value) <= set(LANGUAGES)
            and all(isinstance(v, str) for v in value.values())
        ):
            english = value.get("en") or value.get("ko", "")
            return Text(english, value.get("ko") or english)
        if value is None:
            raise self.fail(path, _("%(key)s is missing.") % {"key": _name((*path, key))})
        raise self.fail(
            (*path, key), _("%(key)s must be text, or a table of en and ko texts.") % {"key": key}
        )

    def array(self, data: dict, path: KeyPath, key: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail((*path, key), _("%(key)s must be a list.") % {"key": key})
        return value


def _name(path: KeyPath) -> str:
    return ".".join(str(part) for part in path if isinstance(part, str)) or _("the file")
