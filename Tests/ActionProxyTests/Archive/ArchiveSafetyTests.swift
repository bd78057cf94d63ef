import Foundation
import Testing

@testable import ActionProxy

/// An archive crafted to write outside the action folder. `$SANDBOX` in names
/// and targets stands for the folder that holds the action folder (so a
/// successful attack is seen there), `$WORK` for one with a victim file.
struct ArchiveAttack: Sendable, CustomTestStringConvertible {
    let title: String
    let entries: [SpecEntry]
    /// The entry that must be refused, and a fragment of the reason.
    let refusedEntry: String
    let reason: String
    var kinds: [ArchiveKind] = ArchiveKind.allCases

    var testDescription: String { title }

    static let all: [ArchiveAttack] = [
        ArchiveAttack(
            title: "a name climbing out with ..", entries: [.file("../evil")],
            refusedEntry: "../evil", reason: "escapes the action folder"),
        ArchiveAttack(
            title: "a name climbing out after descending", entries: [.file("a/../../evil")],
            refusedEntry: "a/../../evil", reason: "escapes the action folder"),
        ArchiveAttack(
            title: "a harmless-looking .. inside the folder", entries: [.file("a/../b")],
            refusedEntry: "a/../b", reason: "escapes the action folder"),
        ArchiveAttack(
            title: "an absolute name", entries: [.file("$SANDBOX/evil")],
            refusedEntry: "$SANDBOX/evil", reason: "is an absolute path"),
        ArchiveAttack(
            title: "an empty name", entries: [.file("")],
            refusedEntry: "", reason: "has an empty name"),
        ArchiveAttack(
            title: "a file named like the folder itself", entries: [.file(".")],
            refusedEntry: ".", reason: "names the action folder itself"),
        ArchiveAttack(
            title: "a link named like the folder itself", entries: [.symlink("./", to: "x")],
            refusedEntry: "./", reason: "names the action folder itself", kinds: [.tarGz, .paxTarGz]),
        ArchiveAttack(
            title: "a link to an absolute folder, then a file through it",
            entries: [.symlink("a", to: "$SANDBOX"), .file("a/evil")],
            refusedEntry: "a", reason: "is a link that leads outside the action folder"),
        ArchiveAttack(
            title: "a link to .., then a file through it",
            entries: [.symlink("a", to: ".."), .file("a/evil")],
            refusedEntry: "a", reason: "is a link that leads outside the action folder"),
        ArchiveAttack(
            title: "a nested link climbing too far",
            entries: [.dir("sub/"), .symlink("sub/a", to: "../../x")],
            refusedEntry: "sub/a", reason: "is a link that leads outside the action folder"),
        ArchiveAttack(
            title: "a link whose lexical target stays inside but climbs through another link",
            entries: [.symlink("a", to: "."), .symlink("b", to: "a/.."), .file("b/evil")],
            refusedEntry: "b", reason: "climbs with '..' after a name"),
        ArchiveAttack(
            title: "a link to a victim file outside",
            entries: [.symlink("victim", to: "$WORK/victim.txt")],
            refusedEntry: "victim", reason: "leads outside the action folder"),
        ArchiveAttack(
            title: "a file written through a link to a folder inside",
            entries: [.dir("inside/"), .symlink("a", to: "inside"), .file("a/evil")],
            refusedEntry: "a/evil", reason: "passes through a symbolic link"),
        ArchiveAttack(
            title: "a deep path through a link to a folder inside",
            entries: [.dir("inside/"), .symlink("a", to: "inside"), .file("a/deeper/evil")],
            refusedEntry: "a/deeper/evil", reason: "passes through a symbolic link"),
        ArchiveAttack(
            title: "a folder entry replaced by a link",
            entries: [.dir("d/"), .symlink("d", to: "inside"), .file("d/evil")],
            refusedEntry: "d", reason: "would replace a folder with a symbolic link"),
        ArchiveAttack(
            title: "a folder entry over an existing link",
            entries: [.dir("inside/"), .symlink("a", to: "inside"), .dir("a/")],
            refusedEntry: "a/", reason: "would replace a symbolic link with a folder"),
        ArchiveAttack(
            title: "a file entry over an existing link",
            entries: [.file("target.txt", "kept"), .symlink("a", to: "target.txt"), .file("a", "evil")],
            refusedEntry: "a", reason: "would replace a symbolic link with a file"),
        ArchiveAttack(
            title: "a file entry over an existing folder",
            entries: [.dir("d/"), .file("d", "evil")],
            refusedEntry: "d", reason: "would replace a folder with a file"),
        ArchiveAttack(
            title: "a file used as a folder",
            entries: [.file("f"), .file("f/evil")],
            refusedEntry: "f/evil", reason: "passes through 'f', which is not a folder"),
        ArchiveAttack(
            title: "a hard link climbing out",
            entries: [.hardlink("h", to: "../outside.txt")],
            refusedEntry: "h", reason: "is a hard link to a target that escapes the action folder",
            kinds: [.tarGz, .paxTarGz]),
        ArchiveAttack(
            title: "a hard link to an absolute victim",
            entries: [.hardlink("h", to: "$WORK/victim.txt")],
            refusedEntry: "h", reason: "is a hard link to a target that is an absolute path",
            kinds: [.tarGz, .paxTarGz]),
        ArchiveAttack(
            title: "a hard link to a symbolic link",
            entries: [.file("t.txt"), .symlink("l", to: "t.txt"), .hardlink("h", to: "l")],
            refusedEntry: "h", reason: "which is not a regular file extracted before it", kinds: [.tarGz, .paxTarGz]),
        ArchiveAttack(
            title: "a hard link through a link to a folder",
            entries: [.file("inside/t.txt"), .symlink("a", to: "inside"), .hardlink("h", to: "a/t.txt")],
            refusedEntry: "h", reason: "passes through a symbolic link", kinds: [.tarGz, .paxTarGz]),
        ArchiveAttack(
            title: "a hard link to a file not extracted",
            entries: [.hardlink("h", to: "missing.txt")],
            refusedEntry: "h", reason: "which is not a regular file extracted before it", kinds: [.tarGz, .paxTarGz]),
        ArchiveAttack(
            title: "a hard link over an existing link",
            entries: [.file("t.txt"), .symlink("l", to: "t.txt"), .hardlink("l", to: "t.txt")],
            refusedEntry: "l", reason: "would replace a folder or a symbolic link", kinds: [.tarGz, .paxTarGz]),
    ]

    func resolved(sandbox: String, work: String) -> ArchiveAttack {
        func fill(_ text: String?) -> String? {
            text?.replacingOccurrences(of: "$SANDBOX", with: sandbox).replacingOccurrences(of: "$WORK", with: work)
        }
        return ArchiveAttack(
            title: title,
            entries: entries.map {
                SpecEntry(
                    type: $0.type, name: fill($0.name) ?? "", data: $0.data, target: fill($0.target), mode: $0.mode)
            },
            refusedEntry: fill(refusedEntry) ?? "", reason: reason, kinds: kinds)
    }
}

@Suite("Archive safety")
struct ArchiveSafetyTests {
    @Test(
        "an attack is refused, naming the entry, and nothing is written outside the action folder",
        arguments: ArchiveAttack.all.flatMap { attack in attack.kinds.map { (attack, $0) } })
    func attack(_ template: ArchiveAttack, kind: ArchiveKind) throws {
        let box = try ArchiveSandbox()
        try box.write("victim.txt", "victim")
        let attack = template.resolved(sandbox: box.sandbox, work: box.work)
        let data = try box.archive(attack.entries, as: kind)

        let error = kind.error(extracting: data, into: box.root)

        let refused = try #require(error, "the archive was extracted")
        #expect(refused.unsafeEntryName == attack.refusedEntry, "\(refused)")
        #expect(refused.description.contains(attack.reason), "\(refused)")
        #expect(refused.description.hasPrefix("archive entry '\(attack.refusedEntry)'"))
        #expect(try box.escapedEntries().isEmpty)
        #expect(try box.text(box.work + "/victim.txt") == "victim")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.work).filter { $0.hasPrefix("evil") }.isEmpty)
        if FileSystem.exists(box.root + "/target.txt") {
            #expect(try box.text(box.root + "/target.txt") == "kept")
        }
    }

    @Test("links and paths that stay inside the folder are extracted", arguments: ArchiveKind.allCases)
    func benignLinks(kind: ArchiveKind) throws {
        let box = try ArchiveSandbox()
        let data = try box.archive(
            [
                .file("./lib//real.txt", "real"),
                .symlink("lib/same", to: "./real.txt"),
                .symlink("bin/up", to: "../lib/real.txt"),
                .symlink("self", to: "."),
                .symlink("deep/er/link", to: "../../lib"),
                .file("back\\slash\\..\\name", "a backslash is an ordinary character on Linux"),
            ], as: kind)
        try kind.extract(data, into: box.root)
        #expect(try box.text(box.root + "/lib/real.txt") == "real")
        #expect(try box.text(box.root + "/bin/up") == "real")
        #expect(try box.linkTarget(box.root + "/self") == ".")
        #expect(try box.text(box.root + "/deep/er/link/same") == "real")
        #expect(FileSystem.isRegularFile(box.root + "/back\\slash\\..\\name"))
        #expect(try box.escapedEntries().isEmpty)
    }

    @Test("entry names are normalised, and refused when absolute, with '..', with NUL, empty, too long or too deep")
    func entryNames() throws {
        func components(_ name: String) throws(ArchiveError) -> [String] {
            try EntryPath(validating: Array(name.utf8)).components.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(try components("./a") == ["a"])
        #expect(try components("a//b/./c/") == ["a", "b", "c"])
        #expect(try components("./") == [])
        #expect(try components("..a/b..") == ["..a", "b.."])
        for bad in ["", "/a", "//a", "..", "a/..", "a/../b", "./../a"] {
            #expect(throws: ArchiveError.self, "\(bad)") { try EntryPath(validating: Array(bad.utf8)) }
        }
        #expect(
            throws: ArchiveError.unsafeEntry(
                name: String(repeating: "d/", count: 257), reason: "is nested more than 256 folders deep")
        ) {
            try EntryPath(validating: Array(String(repeating: "d/", count: 257).utf8))
        }
        #expect(throws: ArchiveError.self) {
            try EntryPath(validating: Array(repeating: UInt8(ascii: "n"), count: 4097))
        }
        #expect(throws: ArchiveError.unsafeEntry(name: "a\0b", reason: "contains a NUL byte")) {
            try EntryPath(validating: Array("a\0b".utf8))
        }
    }

    @Test("link targets are judged from the link's own folder")
    func linkTargets() throws {
        func admits(_ link: String, _ target: String) throws -> Bool {
            try EntryPath(validating: Array(link.utf8)).linkTargetProblem(Array(target.utf8)) == nil
        }
        #expect(try admits("a", "b"))
        #expect(try admits("a", "."))
        #expect(try admits("a", "./b/c"))
        #expect(try admits("x/y/a", "../../b"))
        #expect(try admits("x/a", "../x/../y") == false, "'..' after a name")
        #expect(try admits("a", "..") == false)
        #expect(try admits("x/y/a", "../../../b") == false)
        #expect(try admits("a", "/etc") == false)
        #expect(try admits("a", "") == false)
        #expect(try admits("a", "b\0c") == false)
    }

    @Test("a NUL byte in a zip entry name is refused")
    func nulInZipName() throws {
        let box = try ArchiveSandbox()
        // Python truncates names at NUL: write "aXb" and patch both copies.
        var data = try box.archive([.file("aXevil")], as: .zip)
        for index in data.indices where data[index] == UInt8(ascii: "X") && data[index + 1] == UInt8(ascii: "e") {
            data[index] = 0
        }
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error == .unsafeEntry(name: "a\0evil", reason: "contains a NUL byte"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root).isEmpty)
    }

    @Test("a zip with an unsafe entry anywhere writes nothing at all")
    func zipRefusedBeforeWriting() throws {
        let box = try ArchiveSandbox()
        let data = try box.archive([.file("fine.txt"), .file("../evil")], as: .zip)
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.unsafeEntryName == "../evil")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root).isEmpty)
    }
}
