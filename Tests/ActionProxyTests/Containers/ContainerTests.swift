import Foundation
import Testing

/// The images of `Dockerfiles/`, started as an invoker starts them and driven
/// over 127.0.0.1 only. One container at a time: timing cases (ack timeouts,
/// overlapping runs) must not compete with each other for the machine's cores.
///
/// Without a Docker daemon or the images (`make images`) the suites are
/// skipped and say why; with `CI=true` they run anyway and fail.
@Suite("Images as containers", .serialized)
struct ContainerTests {
    @Test("the container tests run here, or say why not")
    func availability() {
        guard let reason = TestImage.unavailable(TestImage.allCases) else { return }
        if TestImage.required {
            Issue.record("CI=true, but the container tests cannot run: \(reason)")
        } else {
            print("Container tests skipped: \(reason)")
        }
    }
}

/// The note a skipped suite shows.
func skipNote(_ images: TestImage...) -> Comment {
    Comment(rawValue: "container tests skipped: \(TestImage.unavailable(images) ?? "")")
}

/// The proxy of an image as the host tests serve it (`withProxy`): the
/// Python image with its runtime's variables blanked (an empty variable is
/// unset for the proxy), so every contract case runs as written, with
/// python3 and bash for the fixtures, mounted at /fixtures.
func withImageProxy<T>(
    environment: [String: String] = [:], arguments: [String] = [], volumes: [String: String] = [:],
    _ body: (TestContainer) throws -> T
) throws -> T {
    var bare = ["OW_COMPILER": "", "OW_WAIT_FOR_ACK": ""]
    bare.merge(environment) { $1 }
    var mounts = [Fixtures.directory.path: "/fixtures"]
    mounts.merge(volumes) { $1 }
    return try withContainer(.python, environment: bare, arguments: arguments, volumes: mounts, body)
}
