# actionproxy/nodejs: Node.js from Debian and the Node.js runtime
# (Runtimes/nodejs): an /init sends a source with function main(params), or a
# zip of a package.
# Build from the repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/nodejs.Dockerfile -t actionproxy/nodejs .
FROM debian:bookworm-slim

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs \
    && rm -rf /var/lib/apt/lists/*

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
COPY Runtimes/nodejs /usr/local/lib/actionproxy/nodejs

ENV OW_COMPILER=/usr/local/lib/actionproxy/nodejs/compile \
    OW_WAIT_FOR_ACK=1 \
    OW_LOG_INIT_ERROR=1

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
