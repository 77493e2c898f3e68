"""以奖代补 (issue 16): the district scores its streets on a scheme kept as data,
a district official approves the awards, and they are paid through the same
disbursement batches as the subsidies — once, to the street service centre."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from propertymgmt import selectors, services
from propertymgmt.models import BatchLine, Notice, RewardAward, RewardScheme

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 10)
SHANGHAI = {
    "year": 2025,
    "name": "物业管理以奖代补考核",
    "items": [
        {"code": "fee", "name": "物业费收缴", "points": 40},
        {"code": "inspection", "name": "日常检查", "points": 40},
        {"code": "safety", "name": "安全管理", "points": 20},
    ],
    "tiers": [{"min_score": 70, "share": "0.8"}, {"min_score": 80, "share": "1"}],
    "street_reward": Decimal("100000.00"),
    "community_reward": Decimal("20000.00"),
}


@pytest.fixture
def scheme(world):
    return services.save_scheme(user=world.official, data={**SHANGHAI, "district": world.district.pk})


def _score(world, scheme, street, fee, inspection, safety, community=None):
    return services.score_award(
        user=world.official,
        scheme_id=scheme.pk,
        street_id=street.pk,
        community_id=community.pk if community else None,
        item_scores={"fee": fee, "inspection": inspection, "safety": safety},
    )


def _centre_payee(world, street):
    return services.save_payee(
        user=world.official,
        data={
            "account_name": f"{street.name}物业服务中心",
            "bank": "中国建设银行",
            "branch": "东城支行",
            "account_number": "11050161360000001234",
        },
        body="street_centre",
        target_id=street.pk,
    )


@pytest.mark.parametrize(
    ("scores", "share", "amount"),
    [
        ((40, 30, 10), "1.000", "100000.00"),  # 80: full reward
        ((40, 29.99, 10), "0.800", "80000.00"),  # 79.99: 80%
        ((35, 25, 10), "0.800", "80000.00"),  # 70: 80%
        ((35, 24.99, 10), "0.000", "0.00"),  # 69.99: nothing
    ],
)
def test_the_score_reaches_its_tier_at_the_boundary(world, scheme, scores, share, amount):
    award = _score(world, scheme, world.street_a, *scores)
    assert award.share == Decimal(share)
    assert award.amount == Decimal(amount)
    assert award.status == RewardAward.Status.PROPOSED


def test_the_scheme_is_checked_item_by_item_with_messages_a_clerk_reads(world):
    bad_total = {**SHANGHAI, "district": world.district.pk, "items": SHANGHAI["items"][:2]}
    with pytest.raises(ValidationError) as error:
        services.save_scheme(user=world.official, data=bad_total)
    assert "合计应为100分，现为80分" in str(error.value)
    bad_tier = {**SHANGHAI, "district": world.district.pk, "tiers": [{"min_score": "八十", "share": 1}]}
    with pytest.raises(ValidationError) as error:
        services.save_scheme(user=world.official, data=bad_tier)
    assert "最低分" in str(error.value)
    assert not RewardScheme.objects.exists()


def test_a_score_beyond_an_items_points_is_refused_and_nothing_saved(world, scheme):
    with pytest.raises(ValidationError) as error:
        _score(world, scheme, world.street_a, 41, 30, 10)
    assert "物业费收缴" in str(error.value) and "0至40" in str(error.value)
    with pytest.raises(ValidationError):
        _score(world, scheme, world.street_a, "", 30, 10)
    assert not RewardAward.objects.exists()


def test_only_district_officials_score_and_approve(world, scheme):
    with pytest.raises(PermissionDenied):
        services.score_award(
            user=world.staff_a,
            scheme_id=scheme.pk,
            street_id=world.street_a.pk,
            item_scores={"fee": 40, "inspection": 40, "safety": 20},
        )
    award = _score(world, scheme, world.street_a, 40, 40, 20)
    with pytest.raises(PermissionDenied):
        services.approve_awards(user=world.staff_a, scheme_id=scheme.pk, award_ids=[award.pk])
    award.refresh_from_db()
    assert award.status == RewardAward.Status.PROPOSED


def test_an_approved_award_cannot_be_scored_again_nor_its_scheme_changed(world, scheme):
    award = _score(world, scheme, world.street_a, 40, 40, 20)
    services.approve_awards(user=world.official, scheme_id=scheme.pk, award_ids=[award.pk])
    with pytest.raises(ValidationError, match="已审批"):
        _score(world, scheme, world.street_a, 10, 10, 10)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.save_scheme(user=world.official, data={**SHANGHAI, "name": "改"}, scheme_id=scheme.pk)


def test_one_award_per_street_and_year_in_the_database(world, scheme):
    _score(world, scheme, world.street_a, 40, 40, 20)
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardAward.objects.create(
            scheme=scheme,
            street=world.street_a,
            score=Decimal("50"),
            share=Decimal("0"),
            amount=Decimal("0"),
            scored_by=world.official,
        )


def test_a_community_is_scored_only_where_the_scheme_scores_communities(world, scheme):
    award = _score(world, scheme, world.street_a, 40, 40, 20, community=world.community_a1)
    assert award.amount == Decimal("20000.00")
    with pytest.raises(ValidationError, match="不属于所选街道"):
        _score(world, scheme, world.street_b, 40, 40, 20, community=world.community_a1)


def test_approved_awards_are_paid_once_through_the_batch_to_the_street_centre(world, scheme):
    payee = _centre_payee(world, world.street_a)
    paid = _score(world, scheme, world.street_a, 40, 40, 20)
    held = _score(world, scheme, world.street_b, 40, 40, 20)  # street_b's centre has no payee record
    nothing = _score(world, scheme, world.community_a1.street, 10, 10, 10, community=world.community_a1)
    proposed_only = _score(world, scheme, world.street_a, 40, 40, 20, community=world.community_a2)
    services.approve_awards(user=world.official, scheme_id=scheme.pk, award_ids=[paid.pk, held.pk, nothing.pk])

    result = services.build_batch(district_id=world.district.pk, today=TODAY)
    line = BatchLine.objects.get(award=paid)
    assert (line.payee, line.amount, line.account_number) == (payee, Decimal("100000.00"), payee.account_number)
    assert result["held"] == 1
    assert not BatchLine.objects.filter(award__in=[held, nothing, proposed_only]).exists()
    assert Notice.objects.filter(street=world.street_b, key__startswith="payee-missing:").count() == 1
    assert [a.pk for a in selectors.awards_missing_payee(user=world.staff_b)] == [held.pk]
    assert selectors.awards_missing_payee(user=world.staff_a) == []
    again = services.build_batch(district_id=world.district.pk, today=TODAY)
    assert again["lines"] == 0 and BatchLine.objects.filter(award=paid).count() == 1

    # The street's centre gets its record: the held award goes in the next build, once.
    _centre_payee(world, world.street_b)
    services.build_batch(district_id=world.district.pk, today=TODAY)
    assert BatchLine.objects.filter(award=held).count() == 1


def test_an_award_is_never_in_two_live_lines(world, scheme):
    _centre_payee(world, world.street_a)
    award = _score(world, scheme, world.street_a, 40, 40, 20)
    services.approve_awards(user=world.official, scheme_id=scheme.pk, award_ids=[award.pk])
    services.build_batch(district_id=world.district.pk, today=TODAY)
    line = BatchLine.objects.get(award=award)
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.create(
            batch=line.batch,
            award=award,
            street=line.street,
            payee=line.payee,
            account_name="x",
            bank="x",
            account_number="12345678",
            amount=line.amount,
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # a line pays one thing, never two
        BatchLine.objects.filter(pk=line.pk).update(payment_id=None, award_id=None)


def test_the_instruction_names_the_award_and_its_purpose(world, scheme, client_for):
    _centre_payee(world, world.street_a)
    award = _score(world, scheme, world.street_a, 40, 40, 20)
    services.approve_awards(user=world.official, scheme_id=scheme.pk, award_ids=[award.pk])
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    response = client_for(world.official).get(reverse("propertymgmt:batch_instruction", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert any("以奖代补奖励拨付指令" in cell for cell in cells)
    assert "以奖代补奖励" in cells
    assert any(cell.startswith("和平里街道 2025年度以奖代补") for cell in cells)


def test_pages_score_approve_and_show_each_street_its_own(world, scheme, client_for):
    official = client_for(world.official)
    response = official.post(
        reverse("propertymgmt:reward_detail", args=[scheme.pk]),
        {"street": world.street_a.pk, "score_fee": "40", "score_inspection": "35", "score_safety": "20"},
    )
    assert response.status_code == 302
    award = RewardAward.objects.get(street=world.street_a)
    assert award.score == Decimal("95.00")
    official.post(reverse("propertymgmt:reward_detail", args=[scheme.pk]), {"approve": "1", "award": [award.pk]})
    award.refresh_from_db()
    assert award.status == RewardAward.Status.APPROVED

    page = client_for(world.staff_a).get(reverse("propertymgmt:reward_detail", args=[scheme.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "和平里街道" in text and "龙潭街道" not in text and "100,000.00" in text
    assert "保存评分" not in text
    refused = client_for(world.staff_a).post(
        reverse("propertymgmt:reward_detail", args=[scheme.pk]),
        {"street": world.street_a.pk, "score_fee": "40", "score_inspection": "40", "score_safety": "20"},
    )
    assert refused.status_code == 403 and RewardAward.objects.count() == 1

    junk = official.post(
        reverse("propertymgmt:reward_detail", args=[scheme.pk]),
        {"street": "abc", "score_fee": "四十", "score_inspection": "40", "score_safety": "20"},
        follow=True,
    )
    assert junk.status_code == 200
    other = client_for(world.official).get(reverse("propertymgmt:reward_detail", args=[scheme.pk + 999]))
    assert other.status_code == 404


def test_the_scheme_form_parses_lines_and_names_the_bad_one(world, client_for):
    official = client_for(world.official)
    response = official.post(
        reverse("propertymgmt:reward_create"),
        {
            "year": "2026",
            "name": "2026年以奖代补",
            "items": "fee 物业费收缴 40\ninspection 日常检查\nsafety 安全管理 20",
            "tiers": "80 1",
            "street_reward": "50000",
        },
    )
    assert response.status_code == 200
    assert "第2行应为“代码 名称 分值”三项" in response.content.decode()
    response = official.post(
        reverse("propertymgmt:reward_create"),
        {
            "year": "2026",
            "name": "2026年以奖代补",
            "items": "fee 物业费收缴 40\ninspection 日常检查 40\nsafety 安全管理 20",
            "tiers": "80 1\n70 0.8",
            "street_reward": "50000",
        },
    )
    scheme = RewardScheme.objects.get(year=2026)
    assert response.status_code == 302 and scheme.district == world.district
    assert [t["min_score"] for t in scheme.tiers] == ["80", "70"]
    assert client_for(world.staff_a).get(reverse("propertymgmt:reward_create")).status_code == 403
