import ActionProxy
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@main
enum ActionProxyCommand {
    static func main() {
        let options: ProxyOptions
        do {
            options = try ProxyOptions.parse(
                Array(CommandLine.arguments.dropFirst()), environment: ProcessEnvironment.current())
        } catch {
            let usage = ProxyOptions.usage.prefix(while: { $0 != "\n" })
            StandardStreams.writeError(
                "Error: \(error.message)\n\(usage)\n  See 'actionproxy --help' for more information.\n")
            exit(64)
        }
        if options.help {
            StandardStreams.write(Array(ProxyOptions.usage.utf8))
            return
        }
        if options.version {
            StandardStreams.write(
                Array(
                    "actionproxy v\(ProxyVersion.number) (OpenWhisk ActionLoop contract v\(ProxyVersion.contract), Swift)\n"
                        .utf8))
            return
        }
        exit(run(options))
    }

    private static func run(_ options: ProxyOptions) -> Int32 {
        var configuration = Configuration(environment: ProcessEnvironment.current())
        configuration.port = options.port
        configuration.host = options.host
        configuration.debug = configuration.debug || options.debug
        if let directory = options.actionDirectory {
            configuration.actionDirectory = directory
            configuration.actionDirectoryFallback = nil
        }
        let level: Logger.Level = configuration.debug ? .debug : .error
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "actionproxy")

        if let main = options.compile {
            do {
                let zip = try OfflineCompiler(configuration: configuration)
                    .compile(code: StandardStreams.readAll(), main: main, environment: options.env)
                StandardStreams.write(zip)
                return 0
            } catch {
                StandardStreams.writeError("\(error)\n")
                return 1
            }
        }
        let stopSignals = StopSignals.block()
        do {
            let server = try HTTPServer.start(configuration: configuration, logger: logger)
            stopSignals.wait()
            server.shutdown()
            return 0
        } catch {
            logger.critical("cannot serve on \(options.host):\(options.port): \(error)")
            return 1
        }
    }
}
