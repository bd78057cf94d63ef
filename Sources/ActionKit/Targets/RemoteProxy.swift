import Foundation

/// A proxy that was running before the kit came: it cannot be restarted,
/// and its logs are out of reach; its process id is known when the user
/// gave it.
final class RemoteProxy: ServedProxy {
    let host: String
    let port: Int
    let processID: Int32?
    var name: String { "http://\(host):\(port)" }
    var logs: ProxyLogs? { nil }
    var isRunning: Bool { (try? HTTPClient(host: host, port: port, timeoutSeconds: 2)) != nil }

    private init(host: String, port: Int, pid: Int32?) {
        self.host = host
        self.port = port
        processID = pid
    }

    static func connect(host: String, port: Int, pid: Int32?, timeout: TimeInterval) throws(TargetError)
        -> RemoteProxy
    {
        let proxy = RemoteProxy(host: host, port: port, pid: pid)
        try proxy.waitUntilServing(timeout: timeout) { nil }
        return proxy
    }

    func terminate(waitSeconds seconds: Double) -> Int32? { nil }
    func stop() {}
}
