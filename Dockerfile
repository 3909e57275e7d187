# The image of the JUST Opportunity Portal: web (gunicorn), Celery worker and
# Celery beat all run from it with different commands (see docker-compose.yml).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 1000 justop \
 && useradd --system --uid 1000 --gid justop --create-home --home-dir /home/justop justop

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .

# Static files are collected into the image (hashed and compressed names,
# served by WhiteNoise). Production settings refuse a short SECRET_KEY, so the
# build uses a throwaway one; the running containers get theirs from .env.
# Translation catalogues (.mo) are part of the source tree: the slim image has
# no gettext to compile them.
RUN DJANGO_ENV=production \
    SECRET_KEY=build-only-key-never-used-at-runtime-7f3c9a1e5b2d8f6a4c0e9b7d3a1f5c8e \
    ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input \
 && mkdir -p /app/media \
 && chown justop:justop /app/media

USER justop

EXPOSE 8000

# The control socket would be created under $HOME; nothing here uses it.
CMD ["gunicorn", "justop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket", "--access-logfile", "-"]
