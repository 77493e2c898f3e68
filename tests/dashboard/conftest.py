import pytest


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard is cached per data generation (the newest ids); a new
    test database starts its sequences again, so start from an empty cache."""
    from django.core.cache import cache

    cache.clear()
