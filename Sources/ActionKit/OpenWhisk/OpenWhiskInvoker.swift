import Foundation

/// What an OpenWhisk invoker does to an action container, as its code shows
/// (apache/openwhisk `DockerContainer.scala`, `ContainerProxy.scala`,
/// `ApacheBlockingContainerClient.scala`, `DockerToActivationLogStore.scala`),
/// for the kit's `--platform openwhisk`: the same `docker run` options
/// (here on the host network with the proxy on a loopback port instead of
/// the container's bridge address), no probe before `/init` but a connect
/// retried every 50 ms while it is refused, a new connection for every
/// request, the `/init` environment and `/run` members as strings, logs read
/// from the json-file log, and the container paused while it is idle.
public enum OpenWhiskInvoker {
    /// `__OW_API_HOST` of the containers (no controller listens there).
    public static let apiHost = "http://127.0.0.1:3233"
    /// The API key of the activations: a namespace's uuid and key.
    public static let apiKey = "5a2c7e1f-0d3b-4c6a-9e8f-1b2c3d4e5f60:actionkitactionkitactionkitactionkitactionkit"
    /// How often the invoker tries to connect for `/init` while it is refused.
    public static let connectRetry: TimeInterval = 0.05
    /// The invoker's `--cpu-shares` for a 256 MB action (its default ratio).
    public static let cpuShares = 256

    /// `docker run` options beyond the memory and pid limits; the proxy is
    /// given its port as `$PORT`.
    static func dockerOptions(port: Int) -> [String] {
        [
            "--network", "host", "-e", "PORT=\(port)", "--cpu-shares", String(cpuShares), "--cap-drop", "NET_RAW",
            "--cap-drop", "NET_ADMIN", "--ulimit", "nofile=1024:1024", "--log-driver", "json-file",
        ]
    }

    /// The container environment the invoker adds (ansible's
    /// `__OW_ALLOW_CONCURRENT` is always there, `false` unless the operator
    /// enabled concurrency); a case's own settings win.
    static let containerEnvironment = ["__OW_API_HOST": apiHost, "__OW_ALLOW_CONCURRENT": "false"]

    /// The `/init` `env` members the invoker adds: the first activation's
    /// context, all strings.
    public static func initEnvironment(_ fields: ActivationFields) -> [String: String] {
        [
            "__OW_NAMESPACE": fields.namespace, "__OW_ACTION_NAME": fields.actionName,
            "__OW_ACTION_VERSION": fields.actionVersion, "__OW_ACTIVATION_ID": fields.activationID,
            "__OW_TRANSACTION_ID": fields.transactionID, "__OW_DEADLINE": fields.deadline, "__OW_API_KEY": apiKey,
        ]
    }

    /// The `/run` members besides `value`: the deadline a string, the API
    /// key in, no API host (that is the container's `__OW_API_HOST`).
    public static func runMembers(_ fields: ActivationFields) -> [String: Any] {
        [
            "api_key": apiKey, "namespace": fields.namespace, "action_name": fields.actionName,
            "action_version": fields.actionVersion, "activation_id": fields.activationID,
            "transaction_id": fields.transactionID, "deadline": fields.deadline,
        ]
    }
}
