# actionproxy/nodejs: the official Node.js image of one release line and the
# Node.js runtime (Runtimes/nodejs): an /init sends a source with
# function main(params), or a zip of a package; -compile installs a zip's
# package.json dependencies (npm install --omit=dev) into the zip it makes.
# NODE_MAJOR picks the line (24, the default, or 22). Build from the
# repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/nodejs.Dockerfile --build-arg NODE_MAJOR=22 -t actionproxy/nodejs:22 .
# On a host without a registry, scripts/offline-base-images makes the
# node:<major>-bookworm-slim bases.
ARG NODE_MAJOR=24
FROM node:${NODE_MAJOR}-bookworm-slim

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
COPY Runtimes/nodejs /usr/local/lib/actionproxy/nodejs

ENV OW_COMPILER=/usr/local/lib/actionproxy/nodejs/compile \
    OW_WAIT_FOR_ACK=1 \
    OW_LOG_INIT_ERROR=1

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
