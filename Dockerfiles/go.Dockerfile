# actionproxy/go: Go actions compiled at /init (the Go runtime, Runtimes/go,
# on the official Go image), and prebuilt offline into a static binary that
# runs here or on actionproxy/native:
#   docker run -i actionproxy/go -compile main <src.zip >bin.zip
# Build from the repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/go.Dockerfile -t actionproxy/go .
FROM golang:1.27-bookworm

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
COPY Runtimes/go /usr/local/lib/actionproxy/go

# OW_GO_SUPPORT: the launcher's overlay; GOCACHE: the build cache, warmed
# below with the launcher and common packages, so that an /init compiles
# only the action (compile copies it to $TMPDIR when it is read-only).
# GOPROXY=off: no module proxy at /init; give -e GOPROXY=... where one is
# reachable.
ENV OW_COMPILER=/usr/local/lib/actionproxy/go/compile \
    OW_GO_SUPPORT=/usr/local/lib/actionproxy/go-support \
    GOCACHE=/usr/local/lib/actionproxy/go-cache \
    GOPROXY=off \
    GOTOOLCHAIN=local \
    CGO_ENABLED=0 \
    OW_WAIT_FOR_ACK=1 \
    OW_LOG_INIT_ERROR=1

RUN /usr/local/lib/actionproxy/go/build-support "$OW_GO_SUPPORT" \
    && rm -rf /usr/local/lib/actionproxy/go/.build-support \
    && test -f "$OW_GO_SUPPORT/overlay.json"

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
