import Foundation

/// An action's code as a case sends it to `/init`, with a name for reports.
public struct TestAction: Sendable {
    public let name: String
    public let code: ActionCode
    public let main: String?

    init(_ name: String, source: String, main: String? = nil) {
        self.name = name
        code = ActionCode(code: source, binary: false)
        self.main = main
    }

    init(_ name: String, archive: [UInt8], main: String? = nil) {
        self.name = name
        code = ActionCode(code: archive.base64, binary: true)
        self.main = main
    }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}
