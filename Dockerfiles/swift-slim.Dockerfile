# actionproxy/swift-slim: runs prebuilt Swift actions only, without a
# toolchain: small and fast to start. Prebuild with actionproxy/swift:
#   docker run -i actionproxy/swift -compile main <src.zip >bin.zip
# and send bin.zip as a binary action. Its exec carries the Swift runtime
# libraries it needs in bin/lib/; libc6, libstdc++6 and libgcc-s1 are here.
# Actions that use FoundationNetworking or FoundationXML need libcurl4 or
# libxml2: add them in an image FROM this one (see Dockerfiles/README.md).
# Build from the repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/swift-slim.Dockerfile -t actionproxy/swift-slim .
FROM debian:bookworm-slim

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
# A source sent here cannot be compiled: this compiler says how to prebuild it.
COPY Dockerfiles/swift-slim-compile /usr/local/lib/actionproxy/swift-slim/compile

ENV OW_COMPILER=/usr/local/lib/actionproxy/swift-slim/compile \
    OW_WAIT_FOR_ACK=1

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
