"""The household register import: preview writes nothing, errors name row and column, commit is all or none."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities import services
from communities.models import Household, ImportBatch
from tests.excel import xlsx_bytes
from tests.propertymgmt.conftest import HouseholdFactory

pytestmark = pytest.mark.django_db

HEADERS = ["楼号", "单元", "房号", "专有部分面积（㎡）", "业主姓名", "联系电话", "备注"]


def _file(rows):
    content = xlsx_bytes([dict(zip(HEADERS, row, strict=False)) for row in rows], headers=HEADERS)
    return SimpleUploadedFile("户籍.xlsx", content)


GOOD = [
    ["1号楼", "1单元", "101", 56.32, "张三", "13812345678"],
    ["1号楼", "1单元", "102", "60.5", "李四", ""],
    ["1号楼", "2单元", "101", 72, "张三", "138-1234-5678"],
]


def test_preview_writes_nothing_and_commit_writes_every_row(world):
    batch = services.preview_household_import(user=world.staff_a, estate_id=world.estate_a1.pk, upload=_file(GOOD))
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.summary["create"] == 3
    assert not Household.objects.exists()
    batch = services.commit_household_import(user=world.staff_a, batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.filter(estate=world.estate_a1).count() == 3
    assert Household.objects.get(room="101", unit="1单元").exclusive_area == Decimal("56.32")
    assert Household.objects.first().history.first().history_user == world.staff_a


def test_errors_name_row_and_column_and_nothing_is_written(world):
    rows = [
        *GOOD,
        ["9号楼", "1单元", "101", 50, "王五", ""],
        ["1号楼", "1单元", "101", 50, "赵六", ""],
        ["1号楼", "1单元", "103", "五十", "孙七", ""],
        ["1号楼", "1单元", "104", 50, "", "12345"],
    ]
    batch = services.preview_household_import(user=world.staff_a, estate_id=world.estate_a1.pk, upload=_file(rows))
    assert batch.status == ImportBatch.Status.REJECTED
    errors = {(e["row"], e["column"]) for e in batch.errors}
    assert errors == {(5, "楼号"), (6, "房号"), (7, "专有部分面积（㎡）"), (8, "业主姓名"), (8, "联系电话")}
    assert "9号楼" in next(e["message"] for e in batch.errors if e["row"] == 5)
    assert not Household.objects.exists()


def test_second_commit_of_the_same_batch_is_refused(world):
    from django.core.exceptions import ValidationError

    batch = services.preview_household_import(user=world.staff_a, estate_id=world.estate_a1.pk, upload=_file(GOOD))
    services.commit_household_import(user=world.staff_a, batch_id=batch.pk)
    with pytest.raises(ValidationError):
        services.commit_household_import(user=world.staff_a, batch_id=batch.pk)
    assert Household.objects.count() == 3


def test_reimport_updates_changed_homes(world):
    building = world.estate_a1.buildings.first()
    HouseholdFactory(building=building, unit="1单元", room="101", exclusive_area=Decimal("50"), owner_name="旧业主")
    batch = services.preview_household_import(user=world.staff_a, estate_id=world.estate_a1.pk, upload=_file(GOOD))
    assert (batch.summary["create"], batch.summary["update"]) == (2, 1)
    services.commit_household_import(user=world.staff_a, batch_id=batch.pk)
    home = Household.objects.get(unit="1单元", room="101")
    assert (home.owner_name, home.exclusive_area, home.version) == ("张三", Decimal("56.32"), 2)


def test_ledger_commit_never_takes_a_household_batch(world):
    from django.http import Http404

    batch = services.preview_household_import(user=world.staff_a, estate_id=world.estate_a1.pk, upload=_file(GOOD))
    with pytest.raises(Http404):
        services.commit_import(user=world.staff_a, batch_id=batch.pk)


def test_staff_cannot_import_another_street_register(world):
    from django.http import Http404

    with pytest.raises(Http404):
        services.preview_household_import(user=world.staff_b, estate_id=world.estate_a1.pk, upload=_file(GOOD))


def test_register_page_masks_phones(world, client_for):
    HouseholdFactory(building=world.estate_a1.buildings.first(), owner_phone="13812345678")
    response = client_for(world.worker_a1).get(reverse("communities:household_list", args=[world.estate_a1.pk]))
    assert response.status_code == 200
    assert "138****5678" in response.content.decode() and "13812345678" not in response.content.decode()


@pytest.mark.parametrize(
    ("user", "status"),
    [("staff_a", 200), ("official", 200), ("worker_a1", 200), ("staff_b", 404), ("auditor", 200)],
)
def test_register_page_scoping(world, client_for, user, status):
    response = client_for(getattr(world, user)).get(reverse("communities:household_list", args=[world.estate_a1.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(("user", "status"), [("staff_a", 200), ("worker_a1", 403), ("staff_b", 404), ("auditor", 403)])
def test_register_import_page_scoping(world, client_for, user, status):
    response = client_for(getattr(world, user)).get(reverse("communities:household_import", args=[world.estate_a1.pk]))
    assert response.status_code == status


def test_import_through_the_pages(world, client_for):
    client = client_for(world.staff_a)
    response = client.post(reverse("communities:household_import", args=[world.estate_a1.pk]), {"file": _file(GOOD)})
    assert response.status_code == 302
    batch = ImportBatch.objects.get(kind="household")
    assert client.get(response["Location"]).status_code == 200
    client.post(reverse("communities:household_import_preview", args=[batch.pk]), {"commit": "1"})
    assert Household.objects.count() == 3
    assert (
        client_for(world.staff_b).get(reverse("communities:household_import_preview", args=[batch.pk])).status_code
        == 404
    )


def test_staff_adds_and_corrects_one_home(world, client_for):
    client = client_for(world.staff_a)
    building = world.estate_a1.buildings.first()
    url = reverse("communities:household_create", args=[world.estate_a1.pk])
    data = {"building": building.pk, "unit": "1单元", "room": "301", "exclusive_area": "65.40", "owner_name": "周玉兰"}
    assert client.post(url, data).status_code == 302
    home = Household.objects.get()
    edit = reverse("communities:household_edit", args=[world.estate_a1.pk, home.pk])
    client.post(edit, {**data, "owner_name": "周玉兰", "exclusive_area": "66.00"})
    home.refresh_from_db()
    assert (home.exclusive_area, home.version) == (Decimal("66.00"), 2)
    response = client.post(url, data)  # the same room again
    assert response.status_code == 200 and "相同单元、房号" in response.content.decode()
    assert Household.objects.count() == 1


@pytest.mark.parametrize(("user", "status"), [("worker_a1", 200), ("auditor", 403), ("staff_b", 404)])
def test_household_form_scoping(world, client_for, user, status):
    url = reverse("communities:household_create", args=[world.estate_a1.pk])
    assert client_for(getattr(world, user)).get(url).status_code == status
