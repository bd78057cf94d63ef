/// The proxy's command line. Parsed by hand rather than with
/// swift-argument-parser: that package links Foundation into the proxy,
/// 3.5 MB of code whose pages the kernel maps at start (the resident memory
/// of every action container) for nine flags. See docs/performance.md.
struct ProxyOptions: Equatable {
    var port = 8080
    var host = "0.0.0.0"
    var debug = false
    var version = false
    var help = false
    var compile: String?
    var env: String?
    var actionDirectory: String?

    static let usage = """
        USAGE: actionproxy [--port <port>] [--host <host>] [--debug] [--version] [--compile <main>] [--env <json>]
                           [--action-dir <dir>]

        Serves the OpenWhisk action container contract (POST /init, POST /run) on port 8080 ($PORT).

        OPTIONS:
          --port <port>           The port to listen on. (default: $PORT, or 8080)
          --host <host>           The address to listen on (127.0.0.1 outside a container: /init runs any code
                                  it is given). (default: 0.0.0.0)
          --debug                 Verbose logs on stderr.
          --version               Print the version and exit.
          --compile <main>        Offline build: read sources (a zip) on stdin, compile them with OW_COMPILER,
                                  write a zip of bin/ on stdout.
          --env <json>            Extra environment for -compile, as a JSON object.
          --action-dir <dir>      Where action files go. (default: $OW_ACTION_DIR, or ./action, or
                                  $TMPDIR/actionproxy when ./action cannot be written: a read-only root)
          -h, --help              Show help information.

        POST / is the single entrypoint (Knative, Cloud Run): {"init": …}, {"activation": …,
        "value": …} or both. Flags also take the
        reference proxy's single-dash spelling (-port, -debug, -version, -compile, -env),
        and `--flag=value`.

        Environment:
          PORT                 the port to listen on when --port is not given (Knative, Cloud Run)
          __OW_ACTION_CODE     an action baked into the image: the proxy initializes itself with it
                               (base64 with __OW_ACTION_BINARY=true); or __OW_ACTION_CODE_FILE, a file
                               or folder; with __OW_ACTION_MAIN, __OW_ACTION_NAME, __OW_ACTION_RAW
          __OW_HTTP_METHODS    the methods / answers, e.g. [GET,POST] (default: all)
          OW_ACTION_DIR        where action files go (as --action-dir)
          OW_COMPILER          compiler run as `$OW_COMPILER <main> <srcdir> <bindir>`
          OW_WAIT_FOR_ACK      the action acks {"ok":true} on fd 3 before /init answers
          OW_EXECUTION_ENV     bin/exec.env must hold this value
          OW_LOG_INIT_ERROR    init errors go to the log, the response says where to look
          OW_SAVE_JAR          keep a jar whole under this name instead of extracting it
          OW_DEBUG             same as -debug
          PROXY_ALLOW_REINIT   a later /init replaces the action
          OW_LAUNCHER          start `$OW_LAUNCHER <path of bin/exec>` instead of bin/exec
          OW_DEFAULT_ACTION    folder whose exec an /init without code starts
          OW_MAX_BODY_BYTES    largest request body (default 134217728)
          OW_MAX_RESULT_BYTES  largest result line (default 134217728)
          OW_ACK_TIMEOUT_MS    how long /init waits for the ack (default 60000)
          OW_COMPILE_TIMEOUT_MS  how long a compile may run (default 300000)
          OW_SHUTDOWN_GRACE_MS  at SIGTERM, how long activations may take to finish (default 5000)
          OW_MAX_WAITING_RUNS  runs that may wait for a busy action; one more gets 503 (default 64)
          OW_MAX_EXTRACT_BYTES, OW_MAX_EXTRACT_ENTRIES, OW_MAX_EXTRACT_FILE_BYTES
                               limits on what an archive may expand to

        """

    /// A usage error: the message, printed with the usage, exit status 64.
    struct UsageError: Error, Equatable {
        var message: String
    }

    /// Parses the arguments after the program name. Every flag takes one or
    /// two dashes; a value follows as the next argument or after `=`.
    /// `$PORT` in `environment` (Knative Serving and Cloud Run set it) is
    /// the default port; `--port` wins over it.
    static func parse(_ arguments: [String], environment: [String: String] = [:]) throws(UsageError)
        -> ProxyOptions
    {
        var options = ProxyOptions()
        if let text = environment["PORT"], !text.isEmpty {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw UsageError(message: "The value '\(text)' of $PORT is not a port number")
            }
            options.port = port
        }
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("-"), argument != "-" else {
                throw UsageError(message: "Unexpected argument '\(argument)'")
            }
            let flag = argument.drop(while: { $0 == "-" })
            let name = flag.prefix(while: { $0 != "=" })
            var inline = flag.contains("=") ? String(flag.drop(while: { $0 != "=" }).dropFirst()) : nil
            func value() throws(UsageError) -> String {
                if let given = inline {
                    inline = nil
                    return given
                }
                guard let next = rest.popFirst() else { throw UsageError(message: "Missing value for '\(argument)'") }
                return next
            }
            switch name {
            case "port":
                let text = try value()
                guard let port = Int(text), (0...65535).contains(port) else {
                    throw UsageError(message: "The value '\(text)' is invalid for '--port <port>'")
                }
                options.port = port
            case "host": options.host = try value()
            case "compile": options.compile = try value()
            case "env": options.env = try value()
            case "action-dir": options.actionDirectory = try value()
            case "debug": options.debug = true
            case "version": options.version = true
            case "h", "help": options.help = true
            default: throw UsageError(message: "Unknown option '\(argument)'")
            }
            if inline != nil { throw UsageError(message: "'\(name)' takes no value") }
        }
        return options
    }
}
