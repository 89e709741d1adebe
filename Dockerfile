# Dockerfile - the two production images of mind-the-wait, from one tree:
#
#   nginx   Debian's nginx + ngx_http_mtw_module + conf/ + html/ (port 8080)
#   worker  mtw-worker (ENTRYPOINT; CMD `run`, or `migrate`, `prune`, ...)
#
#   make image-nginx image-worker VERSION=1.2.3    (docker build --target ...)
#
# This file is a thin caller: every step is `scripts/image.sh` or `make dist`,
# which `make test` runs directly (scripts/check-image.sh) because CI has no
# Docker engine.  Both images run as the unprivileged user mtw (uid 10001).

ARG BASE_IMAGE=debian:bookworm-slim

# --- build: compile the worker and the module, stage both image trees ---------
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY scripts/image.sh scripts/image.sh
RUN sh scripts/image.sh install build
COPY . .
ARG VERSION=0.0.0
ARG REVISION=unknown
RUN make dist DIST=/dist VERSION=${VERSION} REVISION=${REVISION}

# --- nginx: the public API and the dashboard ------------------------------------
FROM ${BASE_IMAGE} AS nginx
ARG VERSION=0.0.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="mind-the-wait nginx" \
      org.opencontainers.image.description="nginx with ngx_http_mtw_module: the mind-the-wait API from Redis, and the dashboard" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="debian:bookworm-slim"
COPY scripts/image.sh /tmp/image.sh
RUN sh /tmp/image.sh install nginx && rm /tmp/image.sh
COPY --from=build /dist/nginx/ /
USER mtw:mtw
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["mtw-healthcheck"]
STOPSIGNAL SIGQUIT
ENTRYPOINT ["mtw-nginx-start"]

# --- worker: ingest, score, publish; also the one-off `migrate` task ---------
FROM ${BASE_IMAGE} AS worker
ARG VERSION=0.0.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="mind-the-wait worker" \
      org.opencontainers.image.description="mtw-worker: GTFS and GTFS-Realtime ingestion, scoring, publishing to Redis and PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="debian:bookworm-slim"
COPY scripts/image.sh /tmp/image.sh
RUN sh /tmp/image.sh install worker && rm /tmp/image.sh
COPY --from=build /dist/worker/ /
WORKDIR /usr/share/mtw
ENV MTW_LOG_FORMAT=json
USER mtw:mtw
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["mtw-healthcheck"]
ENTRYPOINT ["mtw-worker"]
CMD ["run"]
