import pytest


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard is cached per data generation (the newest ids); a new
    test database starts its sequences again, so start from an empty cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def chinese_again():
    """A request in English leaves English active in this thread (LocaleMiddleware
    activates the request's language and nothing puts it back); later tests
    expect the portal's Chinese."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
