# One image for web (gunicorn), the Celery worker and beat.
# Built where there is internet; run where there is none: nothing is fetched
# when a container starts.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Asia/Shanghai \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# Static files are collected into the image (WhiteNoise serves them); the key
# here only lets Django start for this step.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput -v0 \
    && groupadd --system oldestate && useradd --system --gid oldestate --home /app oldestate \
    && mkdir -p /app/media /app/var && chown -R oldestate:oldestate /app/media /app/var

USER oldestate
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip()}), timeout=4)"

CMD ["sh", "-c", "exec gunicorn oldestate.wsgi:application --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-2} --timeout 60 --access-logfile - --error-logfile -"]
