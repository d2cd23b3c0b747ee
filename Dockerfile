# One image for web, worker and beat (docker-compose.yml gives each its command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    MAX_CA_BUNDLE=/app/certs/russian_trusted_root_ca.pem

WORKDIR /app
# MAX's Bot API is served under the Russian Trusted Root CA of Минцифры России, which Debian's and
# certifi's bundles lack: it is fetched from the Госуслуги certificate page at build time and
# trusted beside them (notify.max_client). Compare its fingerprint with the one published there.
ADD https://gu-st.ru/content/lending/russian_trusted_root_ca_pem.crt /app/certs/russian_trusted_root_ca.pem
COPY . /app
RUN pip install . \
    && DEBUG=False SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 portal \
    && mkdir -p /app/media /app/celerybeat \
    && chown -R portal /app/media /app/celerybeat
USER portal

EXPOSE 8000
CMD ["gunicorn", "sferum_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
