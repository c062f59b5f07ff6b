# syntax=docker/dockerfile:1
# Python 3.11, the version CI tests; every Python package comes from requirements/prod.txt,
# checked against its hash. psycopg2 is compiled against the image's own libpq in the build
# stage (no -binary wheel in production); the runtime stage keeps only libpq's library.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm AS wheels
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /wheels
COPY requirements/prod.txt /tmp/prod.txt
RUN pip wheel --no-cache-dir --require-hashes --wheel-dir /wheels -r /tmp/prod.txt

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=shortscience.settings.prod
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The wheels stage checked every download against the lock's hashes; psycopg2's wheel is
# built there from its checked source, so it is installed as built (no hash of its own).
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --no-deps /wheels/*.whl
COPY --from=assets /app/node_modules ./node_modules
COPY . .
# collectstatic runs only the static-files checks, not the production ones that need services.
RUN DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput
RUN useradd --create-home app && mkdir -p /app/media && chown app /app/media
USER app
EXPOSE 8000
CMD ["gunicorn", "shortscience.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
