/// How Knative Serving runs a revision's container, as far as the proxy can
/// tell (`--platform knative`): the root filesystem read-only with `/tmp` an
/// `emptyDir` (a tmpfs that may hold executables), `$PORT` set, the serving
/// variables `K_SERVICE`, `K_CONFIGURATION` and `K_REVISION`, traffic over
/// the pod's loopback (queue-proxy's side: the host network with the proxy
/// on a loopback port here), no traffic until the readiness probe `GET
/// /health` answers 200, and SIGTERM to stop it. docs/knative.md.
public enum KnativeRevision {
    public static let service = "actionkit-conform"

    static func dockerOptions(port: Int) -> [String] {
        ["--read-only", "--tmpfs", "/tmp:exec,mode=1777", "--network", "host", "-e", "PORT=\(port)"]
    }

    static let containerEnvironment = [
        "K_SERVICE": service, "K_CONFIGURATION": service, "K_REVISION": "\(service)-00001",
    ]
}
