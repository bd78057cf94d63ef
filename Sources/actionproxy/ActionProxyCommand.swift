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
        useOneMallocArena()
        let options: ProxyOptions
        do {
            options = try ProxyOptions.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            let usage = ProxyOptions.usage.prefix(while: { $0 != "\n" })
            StandardStreams.writeError("Error: \(error.message)\n\(usage)\n  See 'actionproxy --help' for more information.\n")
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
        // SIGTERM and SIGINT are blocked before any thread starts, so every
        // thread inherits the mask, and the main thread waits for them: no
        // libdispatch threads for signal sources (they cost a cold start
        // CPU time and memory). Actions start with an empty mask (Spawn).
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        do {
            let server = try HTTPServer.start(configuration: configuration, logger: logger)
            var received: Int32 = 0
            while sigwait(&stopSignals, &received) != 0 {}
            server.shutdown()
            return 0
        } catch {
            logger.critical("cannot serve on \(options.host):\(options.port): \(error)")
            return 1
        }
    }
}

/// One malloc arena: the proxy's threads mostly wait, and each arena glibc
/// would make for them is resident memory for nothing. (`mallopt` is not in
/// Swift's Glibc module; it is looked up instead.)
private func useOneMallocArena() {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 1)
}
