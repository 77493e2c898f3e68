"""Property management: companies and contracts, assessments, owners' votes,
committees, the maintenance fund and subsidies.

One module per sub-domain; this package re-exports every model, so callers keep
writing `from propertymgmt.models import Contract`. The enums live in
`propertymgmt.choices` (re-exported here too): other apps import them from there.
"""

# isort: off
# The submodules are imported in the order their models were defined in the old single
# module, so the app registry lists the models (and their reverse relations) as before.
from .companies import PropertyCompany, Contract, BREAK_EVEN_RATE, FeeCollection
from .assessments import ScoringScheme, Assessment, ExitOrder
from .votes import VoteThreshold, OwnersVote, VoteElector, Ballot
from .committees import Committee, CommitteeTransition, CommitteeStep, BuildingHead, Reminder, Notice
from .fund import FundWithdrawal, FundAccount, FundTransaction
from .subsidies import SubsidyRate, ScoreFactor, SubsidyPeriod, SubsidyPayment
from .payees import Payee, PayeeAccountView
from .rewards import RewardScheme, RewardAward
from .disbursement import DisbursementBatch, DisbursementBuild, BatchLine
from .rectification import RectificationOrder, CompanyOpinion
# isort: on

from ..choices import (
    BODY_MODE,
    COMMITTEE_MOVES,
    FUND_OUTFLOWS,
    STAND_IN_MOVES,
    BallotChoice,
    CommitteeKind,
    CommitteeStage,
    CompanyStatus,
    FundAccountHolder,
    FundTransactionKind,
    ManagingBody,
    OpinionGrade,
    OpinionKind,
    PayeeBody,
    RectificationResult,
    RectificationStatus,
    ServiceLevel,
    StepKind,
    Tranche,
    VoteStatus,
    VoteSubject,
)
from ._scoping import ESTATE_SCOPE

__all__ = [
    "PropertyCompany",
    "Contract",
    "BREAK_EVEN_RATE",
    "FeeCollection",
    "ScoringScheme",
    "Assessment",
    "ExitOrder",
    "VoteThreshold",
    "OwnersVote",
    "VoteElector",
    "Ballot",
    "Committee",
    "CommitteeTransition",
    "CommitteeStep",
    "BuildingHead",
    "Reminder",
    "Notice",
    "FundWithdrawal",
    "FundAccount",
    "FundTransaction",
    "SubsidyRate",
    "ScoreFactor",
    "SubsidyPeriod",
    "SubsidyPayment",
    "Payee",
    "PayeeAccountView",
    "RewardScheme",
    "RewardAward",
    "DisbursementBatch",
    "DisbursementBuild",
    "BatchLine",
    "RectificationOrder",
    "CompanyOpinion",
    "RectificationResult",
    "RectificationStatus",
    "OpinionKind",
    "OpinionGrade",
    "PayeeBody",
    "ESTATE_SCOPE",
    "CompanyStatus",
    "ManagingBody",
    "BODY_MODE",
    "ServiceLevel",
    "VoteSubject",
    "VoteStatus",
    "BallotChoice",
    "CommitteeKind",
    "CommitteeStage",
    "COMMITTEE_MOVES",
    "STAND_IN_MOVES",
    "StepKind",
    "Tranche",
    "FUND_OUTFLOWS",
    "FundAccountHolder",
    "FundTransactionKind",
]
