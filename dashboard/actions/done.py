"""What an action tells the user it did: the outcome, then the command line it stands for."""


def done(message: str, command: str) -> str:
    return f"{message} — {command}"
