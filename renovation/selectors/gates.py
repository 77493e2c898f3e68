"""The gates of a stage: what a project needs before it may move into the stage, and
whether it passes. Before construction (§2 七, §9) the ledger-, property- and app-based
conditions and the project file (施工单位, 施工许可或免于办理); the same mechanism, with
a district official's override and the snapshot kept with the move, serves any stage
listed in STAGE_GATES."""

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
    Approval,
    Gate,
    Project,
    Stage,
    TenderAward,
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


def _contractor_gate(project) -> GateStatus:
    """Works start with a contractor chosen by the tender, named with its credit code."""
    label = str(Gate.CONTRACTOR.label)
    award = project.tender_awards.filter(role=TenderAward.Role.CONTRACTOR).first()
    if award is None:
        return GateStatus(Gate.CONTRACTOR, label, False, _("尚未登记施工单位（招标结果）。"))
    evidence = _("施工单位：%(name)s（统一社会信用代码%(code)s），中标价%(price)s元，%(when)s签订合同。") % {
        "name": award.company_name,
        "code": award.credit_code,
        "price": format_money(award.price),
        "when": date_format(award.contract_date, "DATE_FORMAT"),
    }
    return GateStatus(Gate.CONTRACTOR, label, True, evidence)


def _construction_permit_gate(project) -> GateStatus:
    """Works start with a construction permit, or the documented reason none is needed."""
    label = str(Gate.CONSTRUCTION_PERMIT.label)
    record = project.approvals.filter(kind__in=Approval.START_KINDS).first()
    if record is None:
        return GateStatus(
            Gate.CONSTRUCTION_PERMIT, label, False, _("尚未登记施工许可证，也未登记免于办理施工许可的依据。")
        )
    when = date_format(record.decided_on, "DATE_FORMAT")
    if record.kind == Approval.Kind.PERMIT:
        evidence = _("施工许可证%(number)s（%(when)s）。") % {"number": record.number, "when": when}
    else:
        evidence = _("免于办理施工许可（%(when)s）：%(reason)s") % {"when": when, "reason": record.reason}
    return GateStatus(Gate.CONSTRUCTION_PERMIT, label, True, evidence)


GATE_CHECKS = {
    Gate.ILLEGAL_STRUCTURES: _illegal_structures_gate,
    Gate.LONG_TERM_MANAGEMENT: _long_term_management_gate,
    Gate.STREET_CONSENT: _street_consent_gate,
    Gate.RESIDENTS_CONSENT: _residents_consent_gate,
    Gate.MAINTENANCE_FUND: _maintenance_fund_gate,
    Gate.CONTRACTOR: _contractor_gate,
    Gate.CONSTRUCTION_PERMIT: _construction_permit_gate,
}

# The gates of each stage that has any, in the order the page shows them. 竣工 will need
# the joint completion acceptance (联合竣工验收, §2 八): when it is built, its gate goes
# here and move_stage, the overrides and the page follow without another change.
STAGE_GATES: dict[str, tuple[Gate, ...]] = {
    Stage.CONSTRUCTION: tuple(GATE_CHECKS),
    Stage.COMPLETED: (),
}
GATE_STAGE: dict[str, str] = {gate: stage for stage, gates in STAGE_GATES.items() for gate in gates}


def evaluate_gates(project: Project, stage: str = Stage.CONSTRUCTION) -> list[GateStatus]:
    """Every gate of moving the project into `stage` (construction by default), with
    its evidence and any override a district official granted."""
    gates = STAGE_GATES.get(stage, ())
    if not gates:
        return []
    overrides = {o.gate: o for o in project.overrides.select_related("approved_by")}
    statuses = []
    for gate in gates:
        status = GATE_CHECKS[gate](project)
        status.override = overrides.get(gate)
        statuses.append(status)
    return statuses
