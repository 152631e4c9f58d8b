# Where a password sign-in's refusal is left on the request, for the login form to show.
REFUSAL_ATTRIBUTE = "dockboard_sign_on_refusal"


class SignOnRefused(Exception):
    """A sign-in through the provider that is refused; the message says why, for the page."""
