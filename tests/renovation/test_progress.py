"""Consultation records, progress reports with photos, behind-schedule flag
and the weekly reminder to the responsible street office."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from renovation import selectors, services
from renovation.models import ConsultationMeeting, Project, ScheduleReminder, Stage
from tests.renovation.conftest import ProjectFactory

pytestmark = pytest.mark.django_db


def photo_with_gps(name="site.jpg", size=(4000, 3000)):
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 56.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def building(world, plans):
    return ProjectFactory(
        annual_plan=plans[2024],
        estate=world.estate_a1,
        stage=Stage.CONSTRUCTION,
        actual_start=date(2024, 4, 1),
        planned_start=date(2024, 4, 1),
        planned_end=date(2024, 11, 30),
        progress=20,
        created_by=world.staff_a,
    )


def test_consultation_records_meetings_and_opinions(world, project):
    services.add_consultation(
        user=world.staff_a,
        project_id=project.pk,
        kind="meeting",
        held_on=date(2024, 3, 2),
        attendees=46,
        opinions=12,
        summary="停车难、加装电梯",
        response="增设停车位35个",
    )
    meeting = ConsultationMeeting.objects.get(project=project)
    assert meeting.opinions == 12 and meeting.recorded_by == world.staff_a


def test_public_notice_must_end_after_it_starts(world, project):
    with pytest.raises(ValidationError) as exc:
        services.update_project(
            user=world.staff_a,
            project_id=project.pk,
            data={"notice_from": date(2024, 3, 10), "notice_to": date(2024, 3, 1)},
        )
    assert "公示" in str(exc.value)


def test_progress_report_stores_photos_reencoded_without_metadata_and_capped(world, building, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = services.add_progress_report(
        user=world.staff_a, project_id=building.pk, reported_on=date(2024, 6, 1), percent=45, photos=[photo_with_gps()]
    )
    building.refresh_from_db()
    assert building.progress == 45
    photo = report.photos.get()
    assert max(photo.width, photo.height) == services.PHOTO_MAX_SIDE
    with Image.open(photo.file.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert max(stored.size) <= services.PHOTO_MAX_SIDE


def test_progress_cannot_go_backwards(world, building):
    with pytest.raises(ValidationError) as exc:
        services.add_progress_report(
            user=world.staff_a, project_id=building.pk, reported_on=date(2024, 6, 1), percent=10
        )
    assert exc.value.error_dict["percent"][0].code == "progress_backwards"


def test_progress_only_for_projects_under_construction(world, project):
    with pytest.raises(ValidationError):
        services.add_progress_report(
            user=world.staff_a, project_id=project.pk, reported_on=date(2024, 6, 1), percent=10
        )


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(world, building):
    fake = SimpleUploadedFile("site.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.add_progress_report(
            user=world.staff_a, project_id=building.pk, reported_on=date(2024, 6, 1), percent=50, photos=[fake]
        )
    building.refresh_from_db()
    assert building.progress == 20 and not building.progress_reports.exists()


def test_project_past_its_planned_end_is_behind_schedule(world, building):
    assert not selectors.is_behind(building, today=date(2024, 11, 30))
    assert selectors.is_behind(building, today=date(2024, 12, 1))
    flagged = selectors.with_behind_flag(Project.objects.all(), today=date(2024, 12, 1)).get()
    assert flagged.behind


def test_project_not_started_by_its_planned_start_is_behind_schedule(world, project):
    project.planned_start = date(2024, 5, 1)
    project.save()
    assert selectors.is_behind(project, today=date(2024, 5, 2))
    assert Project.objects.filter(selectors.behind_schedule_q(date(2024, 5, 2))).exists()


def test_weekly_reminder_goes_to_the_responsible_street_once_per_week(world, building):
    today = date(2024, 12, 4)  # a Wednesday
    assert services.send_schedule_reminders(today=today) == 1
    assert services.send_schedule_reminders(today=today + timedelta(days=1)) == 0  # same week: nothing new
    reminder = ScheduleReminder.objects.get()
    assert reminder.street == world.street_a
    assert reminder.week == date(2024, 12, 2)
    assert "2024年11月30日" in reminder.message
    assert services.send_schedule_reminders(today=today + timedelta(days=7)) == 1


def test_reminder_task_runs_on_the_worker(world, building, celery_worker):
    import time

    from renovation.tasks import remind_behind_schedule

    remind_behind_schedule.delay()
    remind_behind_schedule.delay()  # beat firing twice must not remind twice
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not ScheduleReminder.objects.filter(project=building).exists():
        time.sleep(0.1)
    time.sleep(0.5)  # let the second run finish too
    assert ScheduleReminder.objects.filter(project=building).count() == 1
