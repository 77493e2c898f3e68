"""Demo data of the propertymgmt app, created once by `manage.py seed_demo`."""


def seed(*, district, rng) -> str | None:
    """Create this app's demo data for the district once; return what was made, or None."""
    return None
