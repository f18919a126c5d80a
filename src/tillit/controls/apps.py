from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "tillit.controls"
    label = "controls"
