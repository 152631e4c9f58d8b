class SignOnRefused(Exception):
    """A sign-in through the provider that is refused; the message says why, for the page."""
