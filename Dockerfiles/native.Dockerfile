# actionproxy/native: the proxy and the blackbox skeleton ("bring your own
# executable"). An /init sends a native binary, a #! script or a zip with an
# executable exec; a user's image adds its own:
#   FROM actionproxy/native
#   COPY exec /action/exec
# Build from the repository root, after actionproxy/builder:
#   docker build -f Dockerfiles/native.Dockerfile -t actionproxy/native .
FROM debian:bookworm-slim

COPY --from=actionproxy/builder /out/actionproxy /usr/local/bin/actionproxy
COPY --from=actionproxy/builder /out/blackbox/launcher /usr/local/lib/actionproxy/blackbox/launcher
COPY Runtimes/blackbox/compile /usr/local/lib/actionproxy/blackbox/compile
# The stub answers every activation with how to replace it.
COPY Runtimes/blackbox/exec /action/exec

# The launcher runs /action/exec (or the code an /init sent) once per
# activation; an /init without code starts /action/exec; a later /init may
# replace the action.
ENV OW_COMPILER=/usr/local/lib/actionproxy/blackbox/compile \
    OW_LAUNCHER=/usr/local/lib/actionproxy/blackbox/launcher \
    OW_DEFAULT_ACTION=/action \
    OW_WAIT_FOR_ACK=1 \
    PROXY_ALLOW_REINIT=1 \
    OW_LOG_INIT_ERROR=1

WORKDIR /action
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionproxy"]
