# Herald's image: one static binary on an empty base, with the CA
# certificates (HTTPS to chat platforms) and the zone database (templates'
# time zones) copied in. Build with `make image`; for another architecture
#   docker buildx build --platform linux/arm64 -t herald:arm64 .
# (the builder stage runs natively and cross-compiles, see TARGETARCH).
# The builder stage pulls golang and debian images, so it needs a
# registry; the tests (internal/deploytest) build an image of the same
# shape from a host-built binary instead.

ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH
ARG VERSION=dev
ARG REVISION=unknown
# CGO_ENABLED=0: nothing needs cgo (SQLite is modernc.org/sqlite, pure Go),
# and a static binary runs on scratch.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/heraldhq/herald/internal/buildinfo.Version=${VERSION} -X github.com/heraldhq/herald/internal/buildinfo.Revision=${REVISION}" \
      -o /out/herald ./cmd/herald
# The final image's tree: /data exists, owned by the runtime user, before it
# becomes a volume (a new named volume takes the image directory's owner);
# /herald.yml, the default --config seen from the working directory /, is a
# link to /etc/herald/herald.yml, so a mounted file is found there and,
# without one, Herald runs on its defaults and HERALD_TELEGRAM_* (a missing
# default file is not an error; a missing --config is).
RUN mkdir -p /out/rootfs/etc/herald /out/data \
 && cp /out/herald /out/rootfs/herald \
 && ln -s etc/herald/herald.yml /out/rootfs/herald.yml \
 && chmod 0750 /out/data

FROM debian:bookworm-slim AS certs
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates tzdata >/dev/null

FROM scratch
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="herald" \
      org.opencontainers.image.description="Alertmanager webhooks to chats, with charts" \
      org.opencontainers.image.source="https://github.com/heraldhq/herald" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=certs /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/rootfs/ /
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# data_dir defaults to ./data, so / makes it the /data volume.
WORKDIR /
ENV TZ=UTC
EXPOSE 9096
VOLUME ["/data"]
# `herald healthcheck` GETs http://127.0.0.1:9096/-/healthy and exits 0 or 1
# (scratch has no shell or curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/herald", "healthcheck"]
ENTRYPOINT ["/herald"]
# Mount the configuration at /etc/herald/herald.yml (listen on :9096, not
# 127.0.0.1, inside a container).
CMD ["serve"]
