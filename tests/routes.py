"""Every route of the project as a concrete path, for the tests that visit them all."""

from django.urls import URLPattern, URLResolver, get_resolver

from dashboard import views

SAMPLES = {"str": "x", "uuid": "00000000-0000-4000-8000-000000000000", "int": "1", "slug": "x"}
CONVERTERS = {
    "StringConverter": "str",
    "UUIDConverter": "uuid",
    "IntConverter": "int",
    "SlugConverter": "slug",
}
# A path for each route given as a regular expression.
REGEX_SAMPLES = {"^engines/(?P<name>[^/]+)/": "engines/x/containers/"}


def every_url() -> list[str]:
    """A concrete path for every route of the project, Django's admin and the redirects of the
    paths before several engines excepted."""
    found = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/"):
                    walk(pattern.url_patterns, route)
            elif pattern.callback is views.old_local_path:
                continue
            elif isinstance(pattern, URLPattern):
                route = prefix + REGEX_SAMPLES.get(str(pattern.pattern), str(pattern.pattern))
                for name, converter in pattern.pattern.converters.items():
                    kind = CONVERTERS[type(converter).__name__]
                    route = route.replace(f"<{kind}:{name}>", SAMPLES[kind])
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return found
