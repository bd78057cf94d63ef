// Stand-ins until the JSON and archive modules land.
struct ArchiveLimits: Sendable, Equatable { var maxTotalBytes = 0; var maxEntries = 0; var maxFileBytes = 0; static let `default` = ArchiveLimits() }
enum ArchiveError: Error, Equatable, CustomStringConvertible { case corrupt(String); var description: String { "" } }
enum ZipArchive {
    static func extract(_ data: [UInt8], into directory: String, limits: ArchiveLimits) throws(ArchiveError) {}
    static func archive(directory: String) throws(ArchiveError) -> [UInt8] { [] }
}
enum TarGzArchive { static func extract(_ data: [UInt8], into directory: String, limits: ArchiveLimits) throws(ArchiveError) {} }
