"""The estate registry (小区台账): what the organisation tree holds.

Estate → building under a community of the tree (`org`: district → street
office → community), plus the property-rights units that own parts of estates. Every scoped model says how it
hangs off the tree in `scope_paths`, which `accounts.scoping.scoped` reads. A package by
concern; this module names every model (and the enums, from `communities.choices`) so that
`from communities.models import X` keeps working. Other apps import `communities.choices`,
`communities.selectors` and `communities.services`, never this.
"""

from communities.choices import (
    DANGEROUS_GRADES,
    DangerGrade,
    Enclosure,
    FundHolder,
    FundStatus,
    ManagementMode,
    OwnersBody,
    RightsForm,
    RightsUnitStatus,
    Structure,
)

from .buildings import Building, IllegalStructure, ManagementPeriod, RightsHolding
from .estates import EARLIEST_YEAR, Estate, PropertyRightsUnit, validate_not_future_year
from .records import EstateAttachment, EstateNote, ImportBatch, attachment_path

from .households import Household  # isort: skip  (models register in their old order)

__all__ = [
    "Building",
    "DANGEROUS_GRADES",
    "DangerGrade",
    "EARLIEST_YEAR",
    "Enclosure",
    "Estate",
    "EstateAttachment",
    "EstateNote",
    "FundHolder",
    "FundStatus",
    "Household",
    "IllegalStructure",
    "ImportBatch",
    "ManagementMode",
    "ManagementPeriod",
    "OwnersBody",
    "PropertyRightsUnit",
    "RightsForm",
    "RightsHolding",
    "RightsUnitStatus",
    "Structure",
    "attachment_path",
    "validate_not_future_year",
]
