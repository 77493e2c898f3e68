"""Fixtures of the complaints tests: categories come from the data migration."""

import io
import socket

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


def closed_port() -> int:
    """A local port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_unreachable(settings, monkeypatch):
    """Point the cache at a Redis that refuses connections, as when Redis is
    down, and count the attempts to reach it: yields a list of (host, port),
    one per connection attempt."""
    from redis.connection import Connection

    from core.cache_backends import reset_backoff

    port = closed_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "unreachable",
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 1},
        }
    }
    attempts = []
    real_connect = Connection._connect

    def counting_connect(self):
        if self.port == port:
            attempts.append((self.host, self.port))
        return real_connect(self)

    monkeypatch.setattr(Connection, "_connect", counting_connect)
    reset_backoff()
    yield attempts
    reset_backoff()
