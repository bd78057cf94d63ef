# actionproxy/python: Python 3 from Debian and the Python runtime
# (Runtimes/python): an /init sends a source with def main(args), or a zip
# with __main__.py (and a requirements.txt, installed by -compile).
# One Dockerfile for every version: Debian's python3 of a release is the
# version (trixie: 3.13, bookworm: 3.11), checked here at build time.
# Build from the repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/python.Dockerfile -t actionproxy/python:3.13 .
#   docker build -f Dockerfiles/python.Dockerfile --build-arg DEBIAN_SUITE=bookworm \
#     --build-arg PYTHON_VERSION=3.11 -t actionproxy/python:3.11 .
ARG DEBIAN_SUITE=trixie
FROM debian:${DEBIAN_SUITE}-slim
ARG PYTHON_VERSION=3.13

# python3-venv brings pip (ensurepip) for the requirements.txt of -compile.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && found="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
    && if [ "$found" != "$PYTHON_VERSION" ]; then \
        echo "this base has Python $found, not $PYTHON_VERSION: pass --build-arg DEBIAN_SUITE of a Debian release with $PYTHON_VERSION" >&2; \
        exit 1; \
    fi

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
COPY Runtimes/python /usr/local/lib/actionproxy/python

ENV OW_COMPILER=/usr/local/lib/actionproxy/python/compile \
    OW_WAIT_FOR_ACK=1 \
    OW_LOG_INIT_ERROR=1

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
