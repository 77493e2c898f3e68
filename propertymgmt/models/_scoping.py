"""How the models that hang off an estate are scoped (`accounts.scoping` reads `scope_paths`)."""

ESTATE_SCOPE = {
    "district": "estate__community__street__district",
    "street": "estate__community__street",
    "community": "estate__community",
}
