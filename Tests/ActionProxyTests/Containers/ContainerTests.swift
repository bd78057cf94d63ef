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
