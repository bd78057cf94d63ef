#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bounds on what one action archive may expand to. They are checked while the
/// bytes are produced, never only against the sizes an archive declares: a zip
/// bomb's headers lie.
package struct ArchiveLimits: Sendable, Equatable {
    /// The sum of the sizes of all extracted files.
    package var maxTotalBytes: Int
    /// Files, folders and links together.
    package var maxEntries: Int
    /// The size of any one extracted file.
    package var maxFileBytes: Int

    package init(maxTotalBytes: Int = 1 << 30, maxEntries: Int = 100_000, maxFileBytes: Int = 512 << 20) {
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
        self.maxFileBytes = maxFileBytes
    }

    static let `default` = ArchiveLimits()
}

/// Why an archive could not be extracted (or written).
package enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// The archive is damaged or not of the announced format. The message is the
    /// whole sentence, e.g. "corrupt zip archive: CRC-32 mismatch in entry 'a'".
    case corrupt(String)
    /// An entry that would create something outside the action folder, or
    /// through a link; `reason` completes "archive entry '<name>' …".
    case unsafeEntry(name: String, reason: String)
    /// One of the `ArchiveLimits`, named with its value.
    case limitExceeded(String)
    /// Valid archive content that the proxy does not extract (encryption, devices…).
    case unsupported(String)
    /// A file-system call failed while writing the action folder (or reading
    /// the folder being zipped).
    case io(String)

    package var description: String {
        switch self {
        case .corrupt(let message): message
        case .unsafeEntry(let name, let reason): "archive entry '\(name)' \(reason)"
        case .limitExceeded(let message): message
        case .unsupported(let message): "unsupported archive content: \(message)"
        case .io(let message): "file-system error: \(message)"
        }
    }

    /// A failed system call: `what` was being done, `code` is its errno (passed
    /// first, so that it is read before the message is built).
    static func system(_ code: Int32, _ what: String) -> ArchiveError {
        .io("\(what): \(String(cString: strerror(code)))")
    }

    static func corruptZip(_ detail: String) -> ArchiveError { .corrupt("corrupt zip archive: \(detail)") }
    static func corruptTarGz(_ detail: String) -> ArchiveError { .corrupt("corrupt tar.gz archive: \(detail)") }
}

/// The two formats, so that code shared by both (zlib, the extraction root) can
/// word its messages for the one at hand.
enum ArchiveFormat: Sendable {
    case zip
    case tarGz

    func corrupt(_ detail: String) -> ArchiveError {
        switch self {
        case .zip: .corruptZip(detail)
        case .tarGz: .corruptTarGz(detail)
        }
    }
}
