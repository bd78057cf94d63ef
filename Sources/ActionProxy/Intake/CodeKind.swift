/// What the decoded code of an init is, by its first bytes (PROTOCOL.md §2).
package enum CodeKind: Equatable {
    case zip
    case tarGz
    case elf
    case script
    case source

    package init(_ bytes: [UInt8]) {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            self = .zip
        } else if bytes.starts(with: [0x1F, 0x8B]) {
            self = .tarGz
        } else if bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) {
            self = .elf
        } else if bytes.starts(with: [0x23, 0x21]) {
            self = .script
        } else {
            self = .source
        }
    }

    /// A native binary or a `#!` script: something the kernel runs as it is.
    var isExecutable: Bool { self == .elf || self == .script }
}
