import ActionProxy

/// Archives, extracted as `/init` extracts them, into a fresh action folder of
/// an `ArchiveSandbox`. Refusing an archive is fine; what must never happen,
/// whatever the bytes: a crash, anything created or changed outside the
/// action folder, a link inside it that leads out, a special file, a setuid
/// bit, more bytes than the limits allow, or a folder the proxy's own cleanup
/// cannot remove (a refused init removes its folder).
enum ArchiveTarget {
    enum Format {
        case zip
        case tarGz
    }

    /// Far below the proxy's defaults, so that bombs stop early and each
    /// input costs little (every folder is a few system calls to make, walk
    /// and remove): a run explores structure, not the disk. They are enforced
    /// by the same code as the defaults.
    static let limits = ArchiveLimits(maxTotalBytes: 1 << 20, maxEntries: 300, maxFileBytes: 256 << 10)

    static func run(_ input: UnsafeRawBufferPointer, format: Format) {
        extract(Array(input), format: format)
    }

    static func extract(_ archive: [UInt8], format: Format) {
        let sandbox = ArchiveSandbox.shared
        let folder = sandbox.freshActionFolder()
        do {
            switch format {
            case .zip: try ZipArchive.extract(archive, into: folder, limits: limits)
            case .tarGz: try TarGzArchive.extract(archive, into: folder, limits: limits)
            }
        } catch {
            // A refusal (400 at /init): the checks below apply all the same,
            // since a refused archive may have written entries before the bad one.
        }
        sandbox.checkSurroundings()
        checkExtracted(folder)
        sandbox.removeActionFolder()
    }

    /// What an extraction left in `folder` (the sandbox's action folder, or a
    /// folder in it), read back independently: contained, no special file or
    /// setuid bit, within `limits`.
    static func checkExtracted(_ folder: String) {
        let tree = ExtractedTree(folder: folder)
        tree.checkContained()
        tree.checkFiles(limits: limits, victim: ArchiveSandbox.shared.victim)
    }
}
