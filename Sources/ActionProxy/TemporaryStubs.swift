// Stand-ins until the JSON and archive modules land.
struct JSONError: Error, Equatable, CustomStringConvertible { let message: String; let offset: Int; var description: String { message } }
enum JSONValue: Equatable, Sendable {
    case null, bool(Bool), number(String), string(String), array([JSONValue]), object([JSONMember])
    subscript(key: String) -> JSONValue? { nil }
    var stringValue: String? { nil }
    var boolValue: Bool? { nil }
    var compactText: String { "" }
}
struct JSONMember: Equatable, Sendable { var key: String; var value: JSONValue }
enum JSONParser { static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue { .null } }
enum JSONValidator { static func isObjectOrArray(_ bytes: UnsafeRawBufferPointer) -> Bool { true } }
struct Base64Error: Error, Equatable, CustomStringConvertible { let offset: Int; var description: String { "" } }
enum Base64 { static func decode(_ text: String) throws(Base64Error) -> [UInt8] { [] } }
struct ArchiveLimits: Sendable, Equatable { var maxTotalBytes = 0; var maxEntries = 0; var maxFileBytes = 0; static let `default` = ArchiveLimits() }
enum ArchiveError: Error, Equatable, CustomStringConvertible { case corrupt(String); var description: String { "" } }
enum ZipArchive {
    static func extract(_ data: [UInt8], into directory: String, limits: ArchiveLimits) throws(ArchiveError) {}
    static func archive(directory: String) throws(ArchiveError) -> [UInt8] { [] }
}
enum TarGzArchive { static func extract(_ data: [UInt8], into directory: String, limits: ArchiveLimits) throws(ArchiveError) {} }
