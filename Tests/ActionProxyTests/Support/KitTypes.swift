import ActionKit

/// The tests speak HTTP (and docker) through the kit's raw-socket client: what they see
/// is exactly what the proxy sent.
typealias HTTPTestClient = HTTPClient
typealias HTTPTestResponse = HTTPResponse

struct HTTPTestError: Error, CustomStringConvertible {
    let description: String
}
typealias Docker = ActionKit.Docker
