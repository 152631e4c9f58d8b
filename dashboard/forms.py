from django.contrib.auth.forms import BaseUserCreationForm


class FirstAdministratorForm(BaseUserCreationForm):
    """Username and password (twice, validated) of the first administrator."""
