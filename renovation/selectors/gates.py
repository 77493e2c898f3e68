"""The gates before construction (§2 七): what each checks, and whether the project passes it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communities import selectors as ledger_selectors
from communities.choices import FundStatus
from core.figures import format_count, format_money
from propertymgmt import selectors as property_selectors
from propertymgmt.choices import VoteSubject
from renovation.models import (
    Gate,
    Project,
)

# Gates ----------------------------------------------------------------------


@dataclass
class GateStatus:
    gate: str
    label: str
    closed: bool  # the condition is met
    evidence: str
    override: object = None  # a GateOverride when a district official let it pass

    @property
    def passes(self) -> bool:
        return self.closed or self.override is not None

    def snapshot(self) -> dict:
        data = {"gate": self.gate, "label": self.label, "closed": self.closed, "evidence": self.evidence}
        if self.override is not None:
            data["override"] = {
                "by": self.override.approved_by.get_full_name() or self.override.approved_by.username,
                "at": self.override.approved_at.isoformat(),
                "reason": self.override.reason,
            }
        return data


def _illegal_structures_gate(project) -> GateStatus:
    figures = ledger_selectors.illegal_structure_figures(estate_id=project.estate_id)
    if figures["pending"]:
        evidence = _("台账中尚有待拆除违建%(n)s处，共%(area)s㎡。") % {
            "n": format_count(figures["pending"]),
            "area": format_money(figures["pending_area"]),
        }
        return GateStatus(Gate.ILLEGAL_STRUCTURES, str(Gate.ILLEGAL_STRUCTURES.label), False, evidence)
    if figures["demolished"]:
        evidence = _("台账中违建%(n)s处均已拆除。") % {"n": figures["demolished"]}
    else:
        evidence = _("台账中没有登记违建。")
    return GateStatus(Gate.ILLEGAL_STRUCTURES, str(Gate.ILLEGAL_STRUCTURES.label), True, evidence)


def _long_term_management_gate(project) -> GateStatus:
    label = str(Gate.LONG_TERM_MANAGEMENT.label)
    evidence = property_selectors.long_term_management(project.estate)
    if evidence:
        return GateStatus(Gate.LONG_TERM_MANAGEMENT, label, True, str(evidence))
    return GateStatus(Gate.LONG_TERM_MANAGEMENT, label, False, _("没有有效的物业服务合同，也没有业主组织。"))


def _street_consent_gate(project) -> GateStatus:
    label = str(Gate.STREET_CONSENT.label)
    consent = getattr(project, "street_consent", None)
    if consent is None:
        return GateStatus(Gate.STREET_CONSENT, label, False, _("尚未登记街道同意意见。"))
    evidence = _("%(who)s于%(when)s代表街道同意%(doc)s。") % {
        "who": consent.consented_by,
        "when": date_format(consent.consented_on, "DATE_FORMAT"),
        "doc": f"（{consent.document}）" if consent.document else "",
    }
    return GateStatus(Gate.STREET_CONSENT, label, True, evidence)


def consent_share_line() -> Decimal:
    return Decimal(str(settings.RENOVATION_CONSENT_SHARE_LINE))


def _residents_consent_gate(project) -> GateStatus:
    """An owners' vote under the 3/4 rule where the household register exists;
    otherwise the consent share recorded in the consultation, against the line."""
    label = str(Gate.RESIDENTS_CONSENT.label)
    if property_selectors.has_household_register(project.estate):
        vote = property_selectors.passed_vote(project.estate, subject_types={VoteSubject.BUILDING_WORKS})
        if vote is not None:
            return GateStatus(Gate.RESIDENTS_CONSENT, label, True, _("业主表决通过：%(vote)s") % {"vote": vote})
        return GateStatus(
            Gate.RESIDENTS_CONSENT,
            label,
            False,
            _("小区已建业主名册，须经业主共同决定（改造工程，双四分之三）通过；尚无通过的表决。"),
        )
    line = consent_share_line()
    share = project.consent_share
    if share is None:
        return GateStatus(
            Gate.RESIDENTS_CONSENT,
            label,
            False,
            _("尚无业主名册，也未登记居民同意比例（须不低于%(line)s%%）。") % {"line": line},
        )
    closed = share >= line
    evidence = _("未建业主名册；登记的居民同意比例为%(share)s%%，要求不低于%(line)s%%。") % {
        "share": share,
        "line": line,
    }
    return GateStatus(Gate.RESIDENTS_CONSENT, label, closed, evidence)


def _maintenance_fund_gate(project) -> GateStatus:
    """Closed when the ledger says the fund is collected, or when the project
    records how the fund will be raised (a FundArrangement)."""
    label = str(Gate.MAINTENANCE_FUND.label)
    estate = project.estate
    if estate.fund_status == FundStatus.COLLECTED:
        evidence = _("台账：维修资金已归集，持有方为%(holder)s。") % {"holder": estate.get_fund_holder_display()}
        if estate.fund_balance is not None:
            evidence += _("余额%(b)s元。") % {"b": estate.fund_balance}
        return GateStatus(Gate.MAINTENANCE_FUND, label, True, evidence)
    arrangement = getattr(project, "fund_arrangement", None)
    if arrangement is not None:
        evidence = _("台账：%(status)s；筹集方案（%(when)s）：%(text)s") % {
            "status": estate.get_fund_status_display(),
            "when": date_format(arrangement.arranged_on, "DATE_FORMAT"),
            "text": arrangement.description,
        }
        return GateStatus(Gate.MAINTENANCE_FUND, label, True, evidence)
    evidence = _("台账：维修资金%(status)s，且未登记筹集方案。") % {"status": estate.get_fund_status_display()}
    return GateStatus(Gate.MAINTENANCE_FUND, label, False, evidence)


GATE_CHECKS = {
    Gate.ILLEGAL_STRUCTURES: _illegal_structures_gate,
    Gate.LONG_TERM_MANAGEMENT: _long_term_management_gate,
    Gate.STREET_CONSENT: _street_consent_gate,
    Gate.RESIDENTS_CONSENT: _residents_consent_gate,
    Gate.MAINTENANCE_FUND: _maintenance_fund_gate,
}


def evaluate_gates(project: Project) -> list[GateStatus]:
    """Every gate of the project, in the order of §2 and §9, with its evidence
    and any override a district official granted."""
    overrides = {o.gate: o for o in project.overrides.select_related("approved_by")}
    statuses = []
    for gate, check in GATE_CHECKS.items():
        status = check(project)
        status.override = overrides.get(gate)
        statuses.append(status)
    return statuses
