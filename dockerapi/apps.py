from django.apps import AppConfig


class DockerApiConfig(AppConfig):
    name = "dockerapi"
    verbose_name = "Docker Engine API"
    # Run beside the web server and the task worker by `manage.py rundashboard`.
    background_commands = {"Engine API endpoint": ["dockerapi"]}
