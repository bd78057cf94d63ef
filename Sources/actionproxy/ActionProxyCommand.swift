import ActionProxy
import ArgumentParser
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@main
struct ActionProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actionproxy",
        abstract: "Serves the OpenWhisk action container contract (POST /init, POST /run) on port 8080.",
        discussion: """
            Action files live under ./action/ of the working directory. Flags also take the
            reference proxy's single-dash spelling (-port, -debug, -version, -compile, -env).

            Environment:
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
              OW_MAX_EXTRACT_BYTES, OW_MAX_EXTRACT_ENTRIES, OW_MAX_EXTRACT_FILE_BYTES
                                   limits on what an archive may expand to
            """
    )

    @Option(name: [.long, .customLong("port", withSingleDash: true)], help: "The port to listen on.")
    var port: Int = 8080

    @Option(
        name: [.long, .customLong("host", withSingleDash: true)],
        help: "The address to listen on (127.0.0.1 outside a container: /init runs any code it is given).")
    var host: String = "0.0.0.0"

    @Flag(name: [.long, .customLong("debug", withSingleDash: true)], help: "Verbose logs on stderr.")
    var debug = false

    @Flag(name: [.long, .customLong("version", withSingleDash: true)], help: "Print the version and exit.")
    var version = false

    @Option(
        name: [.long, .customLong("compile", withSingleDash: true)],
        help: ArgumentHelp(
            "Offline build: read sources (a zip) on stdin, compile them with OW_COMPILER, write a zip of bin/ on stdout.",
            valueName: "main"))
    var compile: String?

    @Option(
        name: [.long, .customLong("env", withSingleDash: true)],
        help: ArgumentHelp("Extra environment for -compile, as a JSON object.", valueName: "json"))
    var env: String?

    func run() throws {
        if version {
            print(
                "actionproxy v\(ProxyVersion.number) (OpenWhisk ActionLoop contract v\(ProxyVersion.contract), Swift)")
            return
        }
        var configuration = Configuration(environment: ProcessEnvironment.current())
        configuration.port = port
        configuration.host = host
        configuration.debug = configuration.debug || debug
        let level: Logger.Level = configuration.debug ? .debug : .error
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "actionproxy")

        if let main = compile {
            try compileOffline(main: main, configuration: configuration)
            return
        }
        do {
            let server = try HTTPServer.start(configuration: configuration, logger: logger)
            ShutdownSignals.install { server.shutdown() }
            server.wait()
        } catch {
            logger.critical("cannot serve on \(host):\(port): \(error)")
            throw ExitCode.failure
        }
    }

    private func compileOffline(main: String, configuration: Configuration) throws {
        do {
            let zip = try OfflineCompiler(configuration: configuration)
                .compile(code: StandardStreams.readAll(), main: main, environment: env)
            StandardStreams.write(zip)
        } catch {
            StandardStreams.writeError("\(error)\n")
            throw ExitCode.failure
        }
    }
}
