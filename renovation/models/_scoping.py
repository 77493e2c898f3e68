"""Who writes the district's own records (plans, the catalogue, gate overrides)."""

DISTRICT_WRITERS = frozenset({"district_official"})
