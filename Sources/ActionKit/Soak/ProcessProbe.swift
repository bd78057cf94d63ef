import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `/proc` says about a process: the figures a soak watches for leaks.
public struct ProcessProbe: Sendable {
    public let pid: Int32

    public init(pid: Int32) {
        self.pid = pid
    }

    /// One reading.
    public struct Sample: Sendable {
        /// After how many activations it was taken.
        public var activations: Int
        /// Resident memory, kB (`VmRSS`).
        public var rssKB: Int
        /// Open file descriptors (entries of `/proc/PID/fd`).
        public var fds: Int
        /// Children of the process that are zombies now.
        public var zombies: Set<Int32>
    }

    public func sample(after activations: Int) -> Sample? {
        guard let rss = residentKB(), let fds = openDescriptors() else { return nil }
        return Sample(activations: activations, rssKB: rss, fds: fds, zombies: zombieChildren())
    }

    /// `VmRSS` of `/proc/PID/status`, in kB.
    public func residentKB() -> Int? {
        ResidentMemory.of(pid)?.total
    }

    public func openDescriptors() -> Int? {
        // "." and ".." are not descriptors.
        Self.entries("/proc/\(pid)/fd").map { $0.filter { !$0.hasPrefix(".") }.count }
    }

    /// Processes whose parent is this one and whose state is `Z`.
    public func zombieChildren() -> Set<Int32> {
        var zombies = Set<Int32>()
        for entry in Self.entries("/proc") ?? [] {
            guard let child = Int32(entry), let stat = Self.read("/proc/\(entry)/stat"),
                let fields = Self.fieldsAfterName(stat)
            else { continue }
            // After "pid (name)": state, then the parent's pid.
            if fields.count > 1, fields[0] == "Z", Int32(fields[1]) == pid { zombies.insert(child) }
        }
        return zombies
    }

    // Plain system calls: a soak samples often, and Foundation's file and
    // folder reading costs tens of milliseconds per scan of /proc.

    /// A small file's text (`/proc` files are read in one go).
    static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The names in a folder.
    static func entries(_ path: String) -> [String]? {
        guard let folder = opendir(path) else { return nil }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            names.append(name)
        }
        return names
    }

    /// `/proc/PID/stat` after the command name, which may hold spaces and
    /// parentheses: everything after its last `)`.
    static func fieldsAfterName(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
