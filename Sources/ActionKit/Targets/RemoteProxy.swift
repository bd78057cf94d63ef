import Foundation

/// A proxy that was running before the kit came: it cannot be restarted,
/// and its logs are out of reach.
final class RemoteProxy: ServedProxy {
    let host: String
    let port: Int
    var name: String { "http://\(host):\(port)" }
    var logs: ProxyLogs? { nil }
    var processID: Int32? { nil }
    var isRunning: Bool { (try? HTTPClient(host: host, port: port, timeoutSeconds: 2)) != nil }

    private init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    static func connect(host: String, port: Int, timeout: TimeInterval) throws(TargetError) -> RemoteProxy {
        let proxy = RemoteProxy(host: host, port: port)
        try proxy.waitUntilServing(timeout: timeout) { nil }
        return proxy
    }

    func terminate(waitSeconds seconds: Double) -> Int32? { nil }
    func stop() {}
}
