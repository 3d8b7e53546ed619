# mythbot in a small image: the package and its dependencies, run as an unprivileged user.
# Content and database are volumes, so editors' YAML and the data survive a new image.
#   docker build -t mythbot .
#   docker run --env-file .env -v mythbot-data:/data mythbot
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /data mythbot \
    && mkdir -p /data /content /cache && chown mythbot /data /cache
COPY --chown=mythbot intents /content/intents
COPY --chown=mythbot responses /content/responses
COPY --chown=mythbot schema /content/schema
USER mythbot
ENV MYTHBOT_CONTENT=/content \
    MYTHBOT_DB=/data/mythbot.sqlite3 \
    MYTHBOT_CACHE=/cache \
    MYTHBOT_HEALTH_PORT=8080 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8443 8080
# Polling has no health port unless MYTHBOT_HEALTH_PORT is set; webhook mode has it on 8080.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD python -c "import os, sys, urllib.request; p = os.environ.get('MYTHBOT_HEALTH_PORT', '8080'); sys.exit(0 if p == 'off' else urllib.request.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=2).status != 200)"
# SIGTERM stops the bot cleanly in under 5 s (the runtime's default grace is 10 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["mythbot"]
CMD ["run"]
