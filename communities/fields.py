"""Which fields of each ledger record clerks edit: the forms, the API, bulk edit,
the importer, the conflict check and the history all use these lists."""

# The estate fields a clerk edits (forms, API, bulk edit and import share them).
# The fund's balance and holder are not among them: the maintenance-fund ledger
# (propertymgmt's accounts) keeps them and writes the estate's copy (cache_fund_facts).
ESTATE_EDITABLE_FIELDS = [
    "community",
    "name",
    "address",
    "year_built",
    "building_count",
    "households",
    "floor_area",
    "enclosure",
    "management_mode",
    "owners_body",
    "fund_status",
    "parking_spaces",
    "vehicles",
    "has_surveillance",
    "fire_passage_blocked",
    "expropriation_planned",
    "shantytown",
    "longitude",
    "latitude",
    "remarks",
]
BULK_EDITABLE_FIELDS = ["management_mode", "owners_body", "enclosure", "fund_status"]
BUILDING_EDITABLE_FIELDS = [
    "number",
    "floors",
    "entrances",
    "households",
    "year_built",
    "structure",
    "elevators",
    "danger_grade",
    "floor_area",
]
RIGHTS_UNIT_EDITABLE_FIELDS = [
    "name",
    "credit_code",
    "contact_person",
    "contact_phone",
    "address",
    "status",
    "status_changed_on",
    "successor",
    "remarks",
]

HOLDING_EDITABLE_FIELDS = ["building", "rights_unit", "rights_form", "portion", "households", "remarks"]
STRUCTURE_EDITABLE_FIELDS = ["description", "area", "status", "identified_on", "demolished_on"]
