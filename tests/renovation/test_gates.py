"""The gates before construction (§2 不出新, §9): each one blocks the start of
works until closed, unless a district official overrides it with a reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation import selectors, services
from renovation.models import FundArrangement, Gate, GateOverride, Stage, StageMove
from tests.factories import IllegalStructureFactory

pytestmark = pytest.mark.django_db


def gate(project, name):
    return next(g for g in selectors.evaluate_gates(project) if g.gate == name)


def start(user, project):
    return services.move_stage(user=user, project_id=project.pk, to_stage=Stage.CONSTRUCTION, on=date(2024, 5, 6))


def refused_for(user, project):
    with pytest.raises(ValidationError) as exc:
        start(user, project)
    error = exc.value.error_dict["to_stage"][0]
    assert error.code == "gates_open"
    project.refresh_from_db()
    assert project.stage == Stage.TENDER
    assert not StageMove.objects.filter(project=project, to_stage=Stage.CONSTRUCTION).exists()
    return " ".join(error.messages)


def test_project_with_every_gate_closed_starts_and_keeps_the_evidence(world, ready_project, property_module):
    move = start(world.staff_a, ready_project)
    ready_project.refresh_from_db()
    assert ready_project.stage == Stage.CONSTRUCTION
    assert ready_project.actual_start == date(2024, 5, 6)
    assert [g["gate"] for g in move.gates] == list(Gate.values)
    assert all(g["closed"] for g in move.gates)
    assert "李主任" in next(g for g in move.gates if g["gate"] == "street_consent")["evidence"]


def test_pending_illegal_structure_blocks_construction(world, ready_project, property_module):
    IllegalStructureFactory(estate=world.estate_a1, area=Decimal("41.5"))
    status = gate(ready_project, Gate.ILLEGAL_STRUCTURES)
    assert not status.closed and "41.5" in status.evidence
    assert "违建拆除到位" in refused_for(world.staff_a, ready_project)


def test_demolished_illegal_structures_close_the_gate(world, ready_project, property_module):
    IllegalStructureFactory(estate=world.estate_a1, status="demolished", demolished_on=date(2024, 2, 1))
    assert gate(ready_project, Gate.ILLEGAL_STRUCTURES).closed
    start(world.staff_a, ready_project)


def test_missing_long_term_management_blocks_construction(world, ready_project):
    assert "长效管理落实" in refused_for(world.staff_a, ready_project)


def test_missing_street_consent_blocks_construction(world, ready_project, property_module):
    ready_project.street_consent.delete()
    ready_project.refresh_from_db()
    assert "所在街道同意" in refused_for(world.staff_a, ready_project)


def test_consent_share_below_the_line_blocks_construction(world, ready_project, property_module, settings):
    settings.RENOVATION_CONSENT_SHARE_LINE = "90"
    assert "居民同意" in refused_for(world.staff_a, ready_project)


def test_uncollected_fund_without_an_arrangement_blocks_construction(world, ready_project, property_module):
    world.estate_a1.fund_status = "not_collected"
    world.estate_a1.save()
    ready_project.refresh_from_db()
    assert "维修资金" in refused_for(world.staff_a, ready_project)
    services.record_fund_arrangement(
        user=world.staff_a,
        project_id=ready_project.pk,
        description="竣工后由业主大会按每平方米30元筹集",
        arranged_on=date(2024, 4, 1),
    )
    assert FundArrangement.objects.filter(project=ready_project).exists()
    ready_project.refresh_from_db()
    start(world.staff_a, ready_project)


def test_district_official_overrides_an_open_gate_and_the_reason_is_kept(world, ready_project, property_module):
    IllegalStructureFactory(estate=world.estate_a1, area=Decimal("12"))
    override = services.override_gate(
        user=world.official,
        project_id=ready_project.pk,
        gate=Gate.ILLEGAL_STRUCTURES,
        reason="违建与施工同步拆除，区城管已立案",
    )
    assert override.approved_by == world.official and "12" in override.evidence
    move = start(world.staff_a, ready_project)
    kept = next(g for g in move.gates if g["gate"] == "illegal_structures")
    assert kept["closed"] is False
    assert kept["override"]["reason"] == "违建与施工同步拆除，区城管已立案"
    assert GateOverride.objects.get(project=ready_project).reason == "违建与施工同步拆除，区城管已立案"


def test_street_staff_cannot_override_a_gate(world, ready_project, property_module):
    IllegalStructureFactory(estate=world.estate_a1)
    with pytest.raises(PermissionDenied):
        services.override_gate(
            user=world.staff_a, project_id=ready_project.pk, gate=Gate.ILLEGAL_STRUCTURES, reason="来不及拆了"
        )


def test_override_needs_a_written_reason(world, ready_project, property_module):
    IllegalStructureFactory(estate=world.estate_a1)
    with pytest.raises(ValidationError) as exc:
        services.override_gate(
            user=world.official, project_id=ready_project.pk, gate=Gate.ILLEGAL_STRUCTURES, reason=" "
        )
    assert "reason" in exc.value.message_dict


def test_a_closed_gate_needs_no_override(world, ready_project, property_module):
    with pytest.raises(ValidationError):
        services.override_gate(
            user=world.official, project_id=ready_project.pk, gate=Gate.STREET_CONSENT, reason="多此一举的例外"
        )
