/// An archive entry name, checked and split into the components to create below
/// the action folder. Names are kept as bytes: Linux file names are bytes, and
/// decoding them as UTF-8 could merge or alter names of older archives.
struct EntryPath: Equatable, Sendable {
    /// Never "", "." nor ".."; empty for the action folder itself ("./").
    let components: [[UInt8]]
    /// The name as the archive spelled it, for messages.
    let name: String

    /// PATH_MAX on Linux.
    static let maxNameBytes = 4096
    static let maxDepth = 256

    /// Refuses names that could not stay inside the action folder: absolute,
    /// with a `..` component, with a NUL, or empty. "./a" and "a//b" are fine.
    init(validating raw: [UInt8]) throws(ArchiveError) {
        let name = EntryPath.displayName(raw)
        if raw.isEmpty { throw .unsafeEntry(name: name, reason: "has an empty name") }
        if raw.contains(0) { throw .unsafeEntry(name: name, reason: "contains a NUL byte") }
        if raw.first == UInt8(ascii: "/") { throw .unsafeEntry(name: name, reason: "is an absolute path") }
        // openat has no PATH_MAX, so without these bounds a pax header could
        // nest folders deeper than anything (the action, `rm`, a recursive
        // delete) can later handle.
        if raw.count > EntryPath.maxNameBytes {
            throw .unsafeEntry(name: name, reason: "has a name longer than \(EntryPath.maxNameBytes) bytes")
        }
        var components: [[UInt8]] = []
        for component in raw.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if component.elementsEqual([UInt8(ascii: ".")]) { continue }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                throw .unsafeEntry(name: name, reason: "escapes the action folder (it has a '..' component)")
            }
            components.append(Array(component))
        }
        if components.count > EntryPath.maxDepth {
            throw .unsafeEntry(name: name, reason: "is nested more than \(EntryPath.maxDepth) folders deep")
        }
        self.components = components
        self.name = name
    }

    /// Why a symbolic link at this path to `target` could lead a lookup out of
    /// the action folder, or nil when it cannot. Absolute targets always could.
    /// Relative ones are resolved lexically from the link's folder; a `..` after
    /// a named component is refused as well, because the name may itself be a
    /// link (`x -> .`, then `y -> x/..` looks inside lexically but is not).
    /// Refusing that form makes the lexical check sound: leading `..`s climb
    /// through real folders (extraction never replaces a folder) and the rest
    /// only descends, through folders or links that obey the same rule.
    func linkTargetProblem(_ target: [UInt8]) -> String? {
        if target.isEmpty { return "is a link with an empty target" }
        if target.contains(0) { return "is a link whose target contains a NUL byte" }
        if target.first == UInt8(ascii: "/") {
            return
                "is a link that leads outside the action folder (to the absolute path '\(EntryPath.displayName(target))')"
        }
        var depth = components.count - 1  // the link's own folder
        var descended = false
        for component in target.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if component.elementsEqual([UInt8(ascii: ".")]) { continue }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                if descended {
                    return
                        "is a link whose target '\(EntryPath.displayName(target))' climbs with '..' after a name, which could leave the action folder through another link"
                }
                depth -= 1
                if depth < 0 {
                    return "is a link that leads outside the action folder (to '\(EntryPath.displayName(target))')"
                }
            } else {
                descended = true
            }
        }
        return nil
    }

    static func displayName(_ raw: [UInt8]) -> String {
        String(decoding: raw.prefix(4096), as: UTF8.self)
    }
}
