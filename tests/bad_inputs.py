"""The distinct bad inputs the suite tries, counted for its summary: the aim is at least 500,
every one answered without a 500 or a traceback (the tests that try them assert that)."""

TRIED: set[tuple[str, str]] = set()


def tried(where: str, value: object) -> None:
    """``value`` was tried at ``where`` (a form field, a URL parameter, a frame, a parser)."""
    TRIED.add((where, repr(value)))


def summary() -> str:
    places = len({where for where, _value in TRIED})
    return f"bad inputs tried: {len(TRIED)} distinct, in {places} places"
