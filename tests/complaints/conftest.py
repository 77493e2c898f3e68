"""Fixtures of the complaints tests: categories come from the data migration."""

import io

import pytest
from PIL import Image

from complaints import services
from complaints.models import Category, Channel
from propertymgmt.models import PropertyCompany
from tests.factories import valid_credit_code


def jpeg_bytes(size=(64, 48), exif=True) -> bytes:
    image = Image.new("RGB", size, "red")
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0110] = "Model X"  # Model
        kwargs["exif"] = data.tobytes()
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


@pytest.fixture
def category(db):
    return Category.objects.get(code="common_area")


@pytest.fixture
def company(world):
    return PropertyCompany.objects.create(
        district=world.district, name="北京安居物业有限公司", credit_code=valid_credit_code(4242)
    )


@pytest.fixture
def file_case(world, category):
    """File a case in street A (estate_a1) by default."""

    def make(*, estate=None, phone="13812345678", description="楼道被杂物堵塞", **kwargs):
        filing = services.Filing(
            category=kwargs.pop("category", category),
            description=description,
            reporter_name="李秀英",
            reporter_phone=phone,
            estate=estate or world.estate_a1,
            channel=kwargs.pop("channel", Channel.WEB),
            consent=True,
            **kwargs,
        )
        return services.file_complaint(filing=filing)

    return make
