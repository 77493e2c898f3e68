from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks behind `make bench` (the `bench` command).

    An app only so that Django finds its command; it has no models and sits
    outside the layers: it may import every app, and no app imports it.
    """

    name = "bench"
