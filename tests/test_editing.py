"""Editing the ledger in the browser: clear errors, no silent overwrite,
every change kept and revertible by a district official."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from communities import services
from communities.models import Building, Estate, ManagementPeriod
from tests.factories import BuildingFactory, HoldingFactory, IllegalStructureFactory

pytestmark = pytest.mark.django_db


def form_data(estate, **changes):
    data = {
        "community": estate.community_id,
        "name": estate.name,
        "address": estate.address,
        "year_built": estate.year_built,
        "building_count": estate.building_count,
        "households": estate.households,
        "floor_area": str(estate.floor_area),
        "enclosure": estate.enclosure,
        "management_mode": estate.management_mode,
        "owners_body": estate.owners_body,
        "fund_status": estate.fund_status,
        "fund_holder": estate.fund_holder,
        "remarks": estate.remarks,
        "version": estate.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_saves_and_shows_in_history(world, client_for):
    client = client_for(world.staff_a)
    estate = world.estate_a1
    response = client.post(reverse("communities:estate_edit", args=[estate.pk]), form_data(estate, households=333))
    assert response.status_code == 302
    estate.refresh_from_db()
    assert estate.households == 333 and estate.version == 2
    page = client.get(reverse("communities:estate_detail", args=[estate.pk])).content.decode()
    assert "户数：" in page and "320" in page and "333" in page
    record = estate.history.latest()
    assert record.history_user == world.staff_a


def test_second_clerk_is_refused_and_sees_what_changed(world, client_for):
    estate = world.estate_a1
    first, second = client_for(world.staff_a), client_for(world.official)
    opened = form_data(estate)  # both opened version 1
    assert (
        first.post(
            reverse("communities:estate_edit", args=[estate.pk]), {**opened, "households": 400, "address": "新地址1号"}
        ).status_code
        == 302
    )
    response = second.post(reverse("communities:estate_edit", args=[estate.pk]), {**opened, "households": 500})
    assert response.status_code == 409
    body = response.content.decode()
    assert "有人在您打开之后修改了这条记录" in body
    assert "新地址1号" in body and "400" in body
    assert world.staff_a.get_full_name() in body  # who made the other change
    estate.refresh_from_db()
    assert estate.households == 400  # the second save did not land
    # The form kept the second clerk's value and now carries the current version:
    form = response.context["form"]
    assert form["households"].value() == "500"
    assert form["version"].value() == "2"
    # Saving again is a decision made after seeing the change.
    assert (
        second.post(
            reverse("communities:estate_edit", args=[estate.pk]), {**opened, "households": 500, "version": 2}
        ).status_code
        == 302
    )
    estate.refresh_from_db()
    assert estate.households == 500


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_one_wins_one_conflicts(world):
    """Two clerks press save at the same moment: exactly one save lands."""
    estate_id = world.estate_a1.pk
    barrier = threading.Barrier(2)
    outcomes = []

    def save(user, households):
        try:
            barrier.wait(timeout=5)
            services.update_estate(user=user, estate_id=estate_id, data={"households": households}, expected_version=1)
            outcomes.append("saved")
        except services.EditConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, n)) for u, n in ((world.staff_a, 401), (world.official, 402))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    estate = Estate.objects.get(pk=estate_id)
    assert estate.version == 2 and estate.households in (401, 402)


def test_form_errors_are_clear_and_in_chinese(world, client_for):
    estate = world.estate_a1
    response = client_for(world.staff_a).post(
        reverse("communities:estate_edit", args=[estate.pk]),
        form_data(estate, name="", year_built=2999, households=-3, floor_area="abc", longitude="116.4"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["该字段是必填项。"]
    assert "晚于今年" in errors["year_built"][0]
    assert "households" in errors and "floor_area" in errors
    assert "经度和纬度须同时填写" in errors["latitude"][0]
    estate.refresh_from_db()
    assert estate.version == 1


def test_duplicate_name_in_community_is_a_field_error(world, client_for):
    from tests.factories import EstateFactory

    EstateFactory(community=world.community_a1, name="重名小区")
    response = client_for(world.staff_a).post(
        reverse("communities:estate_edit", args=[world.estate_a1.pk]), form_data(world.estate_a1, name="重名小区")
    )
    assert response.status_code == 200
    assert "该社区已有同名小区" in response.content.decode()


def test_database_refuses_a_future_year_even_without_the_form(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Estate.objects.filter(pk=world.estate_a1.pk).update(year_built=2999)
    with pytest.raises(IntegrityError), transaction.atomic():
        Estate.objects.filter(pk=world.estate_a1.pk).update(households=-1)


def test_chinese_date_formats_are_accepted(world, client_for):
    client = client_for(world.staff_a)
    estate = world.estate_a1
    for typed, expected in (("2026年3月5日", "2026-03-05"), ("2026/3/6", "2026-03-06"), ("2026-03-07", "2026-03-07")):
        estate.refresh_from_db()
        mode = "market" if estate.management_mode != "market" else "owners"
        response = client.post(
            reverse("communities:estate_edit", args=[estate.pk]),
            form_data(estate, management_mode=mode, mode_since=typed),
        )
        assert response.status_code == 302, response.context["form"].errors
        assert str(ManagementPeriod.objects.get(estate=estate, ended_on__isnull=True).started_on) == expected


def test_district_official_reverts_a_change(world, client_for):
    estate = world.estate_a1
    services.update_estate(
        user=world.staff_a, estate_id=estate.pk, data={"households": 450, "address": "错地址"}, expected_version=1
    )
    record = estate.history.latest()
    response = client_for(world.official).post(
        reverse("communities:history_revert", args=["estate", record.history_id])
    )
    assert response.status_code == 302
    estate.refresh_from_db()
    assert estate.households == 320 and estate.address == "北京市东城区和平里七区"
    assert estate.version == 3
    revert_record = estate.history.latest()
    assert revert_record.history_user == world.official
    assert "撤销" in revert_record.history_change_reason


def test_revert_refused_when_field_changed_again(world):
    estate = world.estate_a1
    services.update_estate(user=world.staff_a, estate_id=estate.pk, data={"households": 450}, expected_version=1)
    first = estate.history.latest()
    services.update_estate(user=world.staff_a, estate_id=estate.pk, data={"households": 460}, expected_version=2)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="户数"):
        services.revert_change(user=world.official, kind="estate", history_id=first.history_id)
    estate.refresh_from_db()
    assert estate.households == 460


def test_only_district_officials_revert(world, client_for):
    services.update_estate(
        user=world.staff_a, estate_id=world.estate_a1.pk, data={"households": 450}, expected_version=1
    )
    record = world.estate_a1.history.latest()
    for user in (world.staff_a, world.worker_a1, world.auditor):
        response = client_for(user).post(reverse("communities:history_revert", args=["estate", record.history_id]))
        assert response.status_code == 403
    assert Estate.objects.get(pk=world.estate_a1.pk).households == 450


def test_deleted_building_is_restored_from_history(world, client_for):
    building = BuildingFactory(estate=world.estate_a1, number="9号楼")
    HoldingFactory(estate=world.estate_a1, building=building, rights_unit__district=world.district)
    client_for(world.staff_a).post(reverse("communities:building_delete", args=[building.pk]))
    assert not Building.objects.filter(pk=building.pk).exists()
    record = Building.history.filter(id=building.pk, history_type="-").get()
    client_for(world.official).post(reverse("communities:history_revert", args=["building", record.history_id]))
    assert Building.objects.get(pk=building.pk).number == "9号楼"


def test_deleted_estate_comes_back_with_its_buildings(world, client_for):
    estate = world.estate_a2
    BuildingFactory(estate=estate, number="2号楼")
    IllegalStructureFactory(estate=estate)
    building_ids = set(estate.buildings.values_list("pk", flat=True))
    client_for(world.staff_a).post(reverse("communities:estate_delete", args=[estate.pk]))
    assert not Estate.objects.filter(pk=estate.pk).exists()

    trash = client_for(world.official).get(reverse("communities:estate_trash"))
    assert estate.name in trash.content.decode()
    record = Estate.history.filter(id=estate.pk, history_type="-").get()
    client_for(world.official).post(reverse("communities:estate_trash"), {"history_id": record.history_id})
    restored = Estate.objects.get(pk=estate.pk)
    assert set(restored.buildings.values_list("pk", flat=True)) == building_ids
    assert restored.illegal_structures.count() == 1
    assert ManagementPeriod.objects.filter(estate=restored, ended_on__isnull=True).count() == 1


def test_bulk_edit_sets_mode_on_many_and_records_periods(world, client_for):
    ids = [world.estate_a1.pk, world.estate_a2.pk]
    response = client_for(world.staff_a).post(
        reverse("communities:estate_bulk_edit"),
        {"estates": ",".join(map(str, ids)), "management_mode": "street_centre", "mode_since": "2026年1月1日"},
    )
    assert response.status_code == 302
    for estate in Estate.objects.filter(pk__in=ids):
        assert estate.management_mode == "street_centre" and estate.version == 2
        period = ManagementPeriod.objects.get(estate=estate, ended_on__isnull=True)
        assert str(period.started_on) == "2026-01-01" and period.mode == "street_centre"
        assert estate.history.latest().history_change_reason == "批量修改"


def test_bulk_edit_without_changes_is_refused(world, client_for):
    client = client_for(world.staff_a)
    response = client.post(reverse("communities:estate_bulk_edit"), {"estates": str(world.estate_a1.pk)}, follow=True)
    assert "请至少选择一项要修改的内容" in response.content.decode()


def test_saved_filter_is_reused_and_still_scoped(world, client_for):
    client = client_for(world.staff_a)
    client.post(
        reverse("communities:saved_filter_create"), {"name": "八十年代", "query": "year_from=1980&year_to=1989"}
    )
    page = client.get(reverse("communities:estate_list")).content.decode()
    assert "八十年代" in page
    response = client.get(reverse("communities:estate_list") + "?year_from=1980&year_to=1989")
    assert [e.name for e in response.context["page"].object_list] == ["和平里七区"]
    duplicate = client.post(
        reverse("communities:saved_filter_create"), {"name": "八十年代", "query": "x=1"}, follow=True
    )
    assert "您已有名为“八十年代”的常用筛选" in duplicate.content.decode()


def test_notes_and_photo_attachments(world, client_for, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.worker_a1)
    estate = world.estate_a1
    client.post(reverse("communities:note_add", args=[estate.pk]), {"text": "已约谈产权单位"})
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    client.post(
        reverse("communities:attachment_add", args=[estate.pk]),
        {"file": SimpleUploadedFile("现场照片.jpg", buffer.getvalue(), "image/jpeg"), "description": "楼道"},
    )
    attachment = estate.attachments.get()
    assert attachment.kind == "photo" and attachment.original_name == "现场照片.jpg"
    with attachment.file.open("rb") as handle:
        assert b"PhoneMaker" not in handle.read()  # metadata stripped
    page = client.get(reverse("communities:estate_detail", args=[estate.pk])).content.decode()
    assert "已约谈产权单位" in page and "现场照片.jpg" in page
    # A fake image is refused with a message, and nothing is kept.
    response = client.post(
        reverse("communities:attachment_add", args=[estate.pk]),
        {"file": SimpleUploadedFile("假照片.jpg", b"not an image", "image/jpeg")},
        follow=True,
    )
    assert "无法识别图片“假照片.jpg”" in response.content.decode()
    assert estate.attachments.count() == 1
    response = client.post(
        reverse("communities:attachment_add", args=[estate.pk]),
        {"file": SimpleUploadedFile("脚本.exe", b"MZ", "application/octet-stream")},
        follow=True,
    )
    assert "不支持“脚本.exe”的文件类型" in response.content.decode()


def test_saving_again_after_a_conflict_keeps_the_other_clerks_changes(world, client_for):
    """The second clerk changed households; the first had changed the address.
    Re-saving after the refusal keeps the first clerk's address."""
    estate = world.estate_a1
    opened = form_data(estate)
    first, second = client_for(world.staff_a), client_for(world.official)
    first.post(
        reverse("communities:estate_edit", args=[estate.pk]),
        {**opened, "address": "新地址1号", "has_surveillance": "on"},
    )
    response = second.post(reverse("communities:estate_edit", args=[estate.pk]), {**opened, "households": 500})
    assert response.status_code == 409
    rows = {row["label"]: row for row in response.context["conflict"].rows}
    assert rows["地址"]["saved"] == "新地址1号" and not rows["地址"]["clash"]
    form = response.context["form"]
    assert form["address"].value() == "新地址1号"  # not the address the second clerk opened
    assert form["households"].value() == "500"  # the second clerk's own change stays
    assert form["has_surveillance"].value() is True
    # Post back exactly what the page now holds.
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    assert second.post(reverse("communities:estate_edit", args=[estate.pk]), data).status_code == 302
    estate.refresh_from_db()
    assert (estate.address, estate.households, estate.has_surveillance) == ("新地址1号", 500, True)


def test_a_field_both_clerks_changed_is_flagged(world, client_for):
    estate = world.estate_a1
    opened = form_data(estate)
    client_for(world.staff_a).post(reverse("communities:estate_edit", args=[estate.pk]), {**opened, "households": 400})
    response = client_for(world.official).post(
        reverse("communities:estate_edit", args=[estate.pk]), {**opened, "households": 500}
    )
    row = next(r for r in response.context["conflict"].rows if r["label"] == "户数")
    assert row == {"label": "户数", "opened": "320", "saved": "400", "yours": "500", "clash": True}
    assert "双方都改了" in response.content.decode()
