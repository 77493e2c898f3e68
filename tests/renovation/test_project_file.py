"""The project file (§3 三, §2 七–八): approvals and the tender's companies, recorded by
the project's street and the district, and the stages that need them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from renovation import selectors, services
from renovation.models import Approval, GateOverride, Stage, StageMove, TenderAward
from tests.conftest import counted, same_query_count
from tests.factories import valid_credit_code

pytestmark = pytest.mark.django_db

CODE = valid_credit_code(777)


def award(user, project, role="contractor", **overrides):
    data = {
        "company_name": "北京城建修缮工程有限公司",
        "credit_code": CODE,
        "price": Decimal("3850000.00"),
        "contract_date": date(2024, 4, 10),
        **overrides,
    }
    return services.save_tender_award(user=user, project_id=project.pk, role=role, **data)


def approve(user, project, kind, **fields):
    return services.record_approval(user=user, project_id=project.pk, kind=kind, **fields)


def start(user, project):
    return services.move_stage(user=user, project_id=project.pk, to_stage=Stage.CONSTRUCTION, on=date(2024, 5, 6))


def error_of(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


# --- recording ------------------------------------------------------------------------


def test_street_staff_and_district_record_approvals(world, project):
    approval = approve(
        world.staff_a,
        project,
        "feasibility",
        number="东发改〔2024〕31号",
        decided_on=date(2024, 2, 1),
        investment=Decimal("4200000.00"),
    )
    assert approval.investment == Decimal("4200000.00") and approval.recorded_by == world.staff_a
    review = approve(
        world.official, project, "joint_review", decided_on=date(2024, 3, 1), result="amended", opinions="补充消防通道"
    )
    assert review.get_result_display() == "修改后通过"
    assert approval.history.count() == 1 and approval.history.first().history_user == world.staff_a


def test_community_worker_cannot_record_approvals_or_tender(world, project):
    with pytest.raises(PermissionDenied):
        approve(world.worker_a1, project, "permit", number="X1", decided_on=date(2024, 4, 1))
    with pytest.raises(PermissionDenied):
        award(world.worker_a1, project)
    assert not Approval.objects.exists() and not TenderAward.objects.exists()


def test_other_street_cannot_reach_the_project_file(world, project):
    with pytest.raises(Http404):
        approve(world.staff_b, project, "permit", number="X1", decided_on=date(2024, 4, 1))
    with pytest.raises(Http404):
        award(world.staff_b, project)


@pytest.mark.parametrize(
    "kind,fields,field,message",
    [
        ("project_approval", {"investment": Decimal("1")}, "number", "请填写批复文号"),
        ("feasibility", {"number": "东发改〔2024〕31号"}, "investment", "请填写批复投资"),
        ("joint_review", {"opinions": "同意"}, "result", "请选择联合审查的结论"),
        ("permit", {}, "number", "请填写施工许可证编号"),
        ("permit_exemption", {"reason": "  "}, "reason", "免于办理施工许可的依据"),
    ],
)
def test_each_kind_of_approval_needs_its_fields(world, project, kind, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        approve(world.staff_a, project, kind, decided_on=date(2024, 3, 1), **fields)
    assert message in error_of(exc, field)


def test_permit_and_exemption_exclude_each_other(world, project):
    approve(world.staff_a, project, "permit", number="110101202404150101", decided_on=date(2024, 4, 15))
    with pytest.raises(ValidationError) as exc:
        approve(world.staff_a, project, "permit_exemption", decided_on=date(2024, 4, 15), reason="限额以下")
    assert "已登记“施工许可”" in error_of(exc, "kind")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Approval.objects.create(
            project=project,
            kind="permit_exemption",
            decided_on=date(2024, 4, 15),
            reason="x",
            recorded_by=world.staff_a,
        )


def test_database_refuses_an_approval_without_its_investment(world, project):
    with transaction.atomic(), pytest.raises(IntegrityError):
        Approval.objects.create(
            project=project, kind="feasibility", number="1", decided_on=date(2024, 1, 1), recorded_by=world.staff_a
        )


def test_tender_award_checks_the_credit_code_as_companies_are(world, project):
    bad = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        award(world.staff_a, project, credit_code=bad)
    assert "校验位不正确" in error_of(exc, "credit_code")
    with pytest.raises(ValidationError) as exc:
        award(world.staff_a, project, credit_code="123")
    assert "应为18位" in error_of(exc, "credit_code")
    saved = award(world.staff_a, project, credit_code=CODE.lower())
    assert saved.credit_code == CODE


def test_saving_a_role_again_corrects_it_and_keeps_the_history(world, project):
    award(world.staff_a, project)
    award(world.official, project, company_name="北京住总房屋修缮有限公司")
    contractor = TenderAward.objects.get(project=project, role="contractor")
    assert contractor.company_name == "北京住总房屋修缮有限公司"
    assert contractor.history.count() == 2
    award(world.staff_a, project, role="supervisor", company_name="北京建工监理有限责任公司", price=Decimal("80000"))
    assert project.tender_awards.count() == 2


# --- stages need their records ------------------------------------------------------------


def _without_file(project):
    project.tender_awards.all().delete()
    project.approvals.all().delete()


def test_construction_refused_without_contractor_and_permit(world, ready_project, property_module):
    _without_file(ready_project)
    with pytest.raises(ValidationError) as exc:
        start(world.staff_a, ready_project)
    message = error_of(exc, "to_stage")
    assert "施工单位已确定（尚未登记施工单位" in message
    assert "施工许可或免于办理（尚未登记施工许可证" in message
    assert exc.value.error_dict["to_stage"][0].code == "gates_open"
    ready_project.refresh_from_db()
    assert ready_project.stage == Stage.TENDER


def test_construction_refused_with_contractor_but_no_permit(world, ready_project, property_module):
    _without_file(ready_project)
    award(world.staff_a, ready_project)
    with pytest.raises(ValidationError) as exc:
        start(world.staff_a, ready_project)
    message = error_of(exc, "to_stage")
    assert "施工许可或免于办理" in message and "施工单位已确定" not in message


def test_documented_exemption_lets_works_start(world, ready_project, property_module):
    _without_file(ready_project)
    award(world.staff_a, ready_project)
    approve(
        world.staff_a,
        ready_project,
        "permit_exemption",
        decided_on=date(2024, 4, 20),
        reason="工程投资额30万元以下，依规定免于办理施工许可。",
    )
    move = start(world.staff_a, ready_project)
    permit = next(g for g in move.gates if g["gate"] == "construction_permit")
    assert permit["closed"] and "免于办理" in permit["evidence"]
    contractor = next(g for g in move.gates if g["gate"] == "contractor")
    assert CODE in contractor["evidence"]


def test_district_override_lets_works_start_and_is_kept(world, ready_project, property_module):
    _without_file(ready_project)
    award(world.staff_a, ready_project)
    with pytest.raises(PermissionDenied):
        services.override_gate(
            user=world.staff_a, project_id=ready_project.pk, gate="construction_permit", reason="先行开工，证件补办中"
        )
    services.override_gate(
        user=world.official, project_id=ready_project.pk, gate="construction_permit", reason="容缺受理，证件补办中"
    )
    move = start(world.staff_a, ready_project)
    permit = next(g for g in move.gates if g["gate"] == "construction_permit")
    assert not permit["closed"] and permit["override"]["reason"] == "容缺受理，证件补办中"
    assert GateOverride.objects.get(project=ready_project, gate="construction_permit").evidence.startswith("尚未登记")


def test_no_override_once_the_gates_stage_is_passed(world, ready_project, property_module):
    start(world.staff_a, ready_project)
    ready_project.approvals.all().delete()
    with pytest.raises(ValidationError) as exc:
        services.override_gate(
            user=world.official, project_id=ready_project.pk, gate="construction_permit", reason="已开工，补个例外"
        )
    assert "已过该条件所在的阶段" in error_of(exc, "gate")


def test_completion_has_a_gate_list_ready_for_acceptance(world, ready_project, property_module):
    """竣工 has no gate yet (the joint acceptance comes later): the move goes through the
    same check, with nothing to block it."""
    assert selectors.STAGE_GATES[Stage.COMPLETED] == ()
    start(world.staff_a, ready_project)
    move = services.move_stage(user=world.staff_a, project_id=ready_project.pk, to_stage=Stage.COMPLETED)
    assert move.gates == [] and StageMove.objects.filter(project=ready_project).count() == 2


def test_every_gate_belongs_to_one_stage():
    assert set(selectors.GATE_STAGE) == set(selectors.GATE_CHECKS)


# --- pages ----------------------------------------------------------------------------------


def test_project_page_shows_the_file_and_its_forms_save(world, project, client_for):
    client = client_for(world.staff_a)
    url = reverse("renovation:tender_award_edit", args=[project.pk, "contractor"])
    response = client.post(
        url,
        {
            "company_name": "北京城建修缮工程有限公司",
            "credit_code": "91110101000000000X",
            "price": "100",
            "contract_date": "2024-04-10",
        },
    )
    assert response.status_code == 200 and "统一社会信用代码" in response.content.decode()
    assert "is-invalid" in response.content.decode()
    response = client.post(
        url,
        {
            "company_name": "北京城建修缮工程有限公司",
            "credit_code": CODE,
            "price": "3850000",
            "contract_date": "2024-04-10",
        },
    )
    assert response.status_code == 302
    create = reverse("renovation:approval_create", args=[project.pk])
    assert 'value="permit" selected' in client.get(create, {"kind": "permit"}).content.decode()
    response = client.post(create, {"kind": "permit", "number": "", "decided_on": "2024-04-15"})
    assert "请填写施工许可证编号" in response.content.decode()
    response = client.post(create, {"kind": "permit", "number": "110101202404150101", "decided_on": "2024-04-15"})
    assert response.status_code == 302
    page = client.get(reverse("renovation:project_detail", args=[project.pk])).content.decode()
    assert CODE in page and "110101202404150101" in page
    approval = Approval.objects.get(project=project)
    edit = reverse("renovation:approval_edit", args=[project.pk, approval.pk])
    client.post(edit, {"kind": "permit_exemption", "number": "110101202404150102", "decided_on": "2024-04-15"})
    approval.refresh_from_db()
    assert approval.kind == "permit" and approval.number == "110101202404150102"


def test_project_file_pages_refuse_as_the_project_does(world, project, client_for):
    for name, args in (
        ("approval_create", [project.pk]),
        ("tender_award_edit", [project.pk, "contractor"]),
    ):
        url = reverse(f"renovation:{name}", args=args)
        assert client_for(world.worker_a1).get(url).status_code == 403
        assert client_for(world.staff_b).get(url).status_code == 404
        assert client_for(world.official).get(url).status_code == 200
    bad_role = reverse("renovation:tender_award_edit", args=[project.pk, "architect"])
    assert client_for(world.staff_a).get(bad_role).status_code == 403


def test_project_page_query_count_does_not_grow_with_the_file(world, project, client_for):
    client = client_for(world.staff_a)
    url = reverse("renovation:project_detail", args=[project.pk])
    client.get(url)
    empty = counted(lambda: client.get(url), "empty file")
    award(world.staff_a, project)
    award(world.staff_a, project, role="supervisor")
    for n in range(3):
        approve(world.staff_a, project, "joint_review", decided_on=date(2024, 3, n + 1), result="passed")
    approve(world.staff_a, project, "permit", number="P1", decided_on=date(2024, 4, 1))
    same_query_count(empty, lambda: client.get(url), why="two awards, four approvals")
