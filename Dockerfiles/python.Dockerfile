# actionproxy/python: Python 3 from Debian and the Python runtime
# (Runtimes/python): an /init sends a source with def main(args), or a zip
# with __main__.py.
# Build from the repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/python.Dockerfile -t actionproxy/python .
FROM debian:bookworm-slim

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/*

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
COPY Runtimes/python /usr/local/lib/actionproxy/python

ENV OW_COMPILER=/usr/local/lib/actionproxy/python/compile \
    OW_WAIT_FOR_ACK=1 \
    OW_LOG_INIT_ERROR=1

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
