from django.apps import AppConfig


class SwarmConfig(AppConfig):
    name = "swarm"
