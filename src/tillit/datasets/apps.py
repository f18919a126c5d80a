from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "tillit.datasets"
    label = "datasets"
