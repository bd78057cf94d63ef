# actionproxy/builder: the build stage every runtime image copies from, built
# once (`make images` builds it first). It holds, under /out:
#   /out/actionproxy         the proxy, Swift standard library linked in
#   /out/blackbox/launcher   the blackbox runtime's launcher
# Build from the repository root:
#   docker build -f Dockerfiles/builder.Dockerfile -t actionproxy/builder .
FROM swift:6.3-bookworm

# zlib's headers and pkg-config for the proxy's archive code; make for the
# launcher (the toolchain's clang compiles it).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends zlib1g-dev pkg-config make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, in a layer of their own: source edits do not fetch them
# again. Every target's folder must exist for the manifest to load (the
# tests' folders stay empty: the images need none of them).
COPY Package.swift ./
RUN mkdir -p Sources/ActionProxy Sources/actionproxy Sources/CZlib Sources/CSystemShims Sources/CLibFuzzer \
        Sources/ActionKit Sources/actionkit Sources/ActionProxyFuzz Tests/ActionProxyTests Tests/ActionKitTests \
    && swift package resolve

COPY Sources ./Sources
RUN swift build -c release --static-swift-stdlib --product actionproxy \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/actionproxy" /out/actionproxy \
    && strip /out/actionproxy \
    && /out/actionproxy -version

COPY Runtimes/blackbox ./Runtimes/blackbox
RUN make -C Runtimes/blackbox CC=clang launcher \
    && install -D -m 0755 Runtimes/blackbox/launcher /out/blackbox/launcher
