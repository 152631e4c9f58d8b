from django.apps import AppConfig


class DockerApiConfig(AppConfig):
    name = "dockerapi"
    verbose_name = "Docker Engine API"
    # Run beside the web server and the task worker by `manage.py rundashboard`.
    background_commands = {"Engine API endpoint": ["dockerapi"]}

    def ready(self) -> None:
        from dashboard.interfaces import bearer_tokens, session_sockets
        from dockerapi import tokens

        session_sockets.wanted.connect(tokens.open_session, dispatch_uid="dockerapi.sessions")
        session_sockets.ended.connect(tokens.end_session, dispatch_uid="dockerapi.sessions")
        bearer_tokens.provide(tokens.user_of)
