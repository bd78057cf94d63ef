# actionproxy/swift: compiles Swift sources at /init (the Swift runtime,
# Runtimes/swift, on the toolchain image), and prebuilds actions offline:
#   docker run -i actionproxy/swift -compile main <src.zip >bin.zip
# (bin.zip then runs on actionproxy/swift-slim, or here, as a binary action).
# Build from the repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/swift.Dockerfile -t actionproxy/swift .
FROM swift:6.3-bookworm

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
COPY Runtimes/swift /usr/local/lib/actionproxy/swift

# OW_SWIFT_SUPPORT: what every action shares (the ActionRuntime module and a
# warm module cache), precompiled below so that an /init compiles only the
# action's own files.
ENV OW_COMPILER=/usr/local/lib/actionproxy/swift/compile \
    OW_SWIFT_SUPPORT=/usr/local/lib/actionproxy/swift-support \
    OW_WAIT_FOR_ACK=1 \
    OW_LOG_INIT_ERROR=1

RUN /usr/local/lib/actionproxy/swift/build-support "$OW_SWIFT_SUPPORT" \
    && test -f "$OW_SWIFT_SUPPORT/stamp"

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
