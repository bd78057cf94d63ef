# actionproxy/swift-slim: runs prebuilt Swift actions only, without a
# toolchain: small and fast to start. Prebuild with actionproxy/swift:
#   docker run -i actionproxy/swift -compile main <src.zip >bin.zip
# and send bin.zip as a binary action. Its exec is linked against the shared
# Swift runtime of the toolchain that built it, which this image carries (as
# the official Swift slim images do), so the zip holds only the action;
# OW_EXECUTION_ENV, the toolchain's Swift version, refuses a zip whose
# bin/exec.env names another. libc6, libstdc++6 and libgcc-s1 are here;
# actions that use FoundationNetworking or FoundationXML need libcurl4 or
# libxml2: add them in an image FROM this one (see Dockerfiles/README.md).
# Build from the repository root, after actionproxy/builder, with the Swift
# version of swift:6.3-bookworm (scripts/build-images passes it):
#   docker build -f Dockerfiles/swift-slim.Dockerfile --build-arg SWIFT_EXECUTION_ENV=swift-6.3.1 \
#     -t actionproxy/swift-slim .

# The toolchain that actionproxy/swift prebuilds with (the same base image):
# its runtime libraries (without the test frameworks and the debuggers'
# reflection libraries: 11 MB that no action loads), and a check that
# SWIFT_EXECUTION_ENV is its version (Docker sets ENV from build arguments,
# never from what a command prints).
FROM swift:6.3-bookworm AS toolchain
ARG SWIFT_EXECUTION_ENV
COPY Runtimes/swift/execution-env /usr/local/bin/execution-env
RUN version=$(execution-env) \
    && if [ "$version" != "$SWIFT_EXECUTION_ENV" ]; then \
        echo "swift-slim: build with --build-arg SWIFT_EXECUTION_ENV=$version (it is '$SWIFT_EXECUTION_ENV')" >&2; \
        exit 1; \
    fi \
    && swiftc=$(realpath "$(command -v swiftc)") \
    && mkdir -p /runtime/usr/lib/swift/linux /runtime/etc/ld.so.conf.d \
    && cp "${swiftc%/bin/*}"/lib/swift/linux/*.so /runtime/usr/lib/swift/linux/ \
    && (cd /runtime/usr/lib/swift/linux && rm -f libXCTest.so libTesting.so lib_Testing*.so \
        lib_InternalSwiftStaticMirror.so libswiftRemoteMirror.so) \
    && echo /usr/lib/swift/linux >/runtime/etc/ld.so.conf.d/swift.conf

FROM debian:bookworm-slim
ARG SWIFT_EXECUTION_ENV

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
# /usr/lib/swift/linux is where the toolchain image has them, so the RUNPATH
# that compile writes there resolves as it is; the loader's cache lists the
# folder too, for an exec built by a toolchain installed elsewhere.
COPY --from=toolchain /runtime/ /
RUN ldconfig
# A source sent here cannot be compiled: this compiler says how to prebuild it.
COPY Dockerfiles/swift-slim-compile /usr/local/lib/actionproxy/swift-slim/compile

ENV OW_COMPILER=/usr/local/lib/actionproxy/swift-slim/compile \
    OW_EXECUTION_ENV=$SWIFT_EXECUTION_ENV \
    OW_WAIT_FOR_ACK=1 \
    OW_LOG_INIT_ERROR=1

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
