/// The memory controller of the proxy's cgroup, as a container sees it at
/// /sys/fs/cgroup: how many times the kernel killed a process of it for
/// want of memory, and its limit. cgroup v2 (`memory.events`, `memory.max`)
/// and v1 (`memory/memory.oom_control`, `memory/memory.limit_in_bytes`).
/// Without a memory controller both are nil.
enum MemoryCgroup {
    static let root = "/sys/fs/cgroup"

    /// The OOM kills counted so far.
    static func oomKills() -> Int? {
        for file in ["\(root)/memory.events", "\(root)/memory/memory.oom_control"] {
            if let count = field("oom_kill", in: file) { return count }
        }
        return nil
    }

    /// The memory limit in bytes; nil when there is none.
    static func limitBytes() -> Int64? {
        for file in ["\(root)/memory.max", "\(root)/memory/memory.limit_in_bytes"] {
            let text = String(decoding: FileSystem.readPrefix(file, count: 64), as: UTF8.self)
            let value = text.prefix { !$0.isNewline && $0 != " " }
            if value == "max" { return nil }
            // v1 writes "no limit" as a huge page-rounded number.
            if let bytes = Int64(value) { return bytes < 1 << 60 ? bytes : nil }
        }
        return nil
    }

    /// The value after `name ` on a line of a flat-keyed file.
    private static func field(_ name: String, in file: String) -> Int? {
        let text = String(decoding: FileSystem.readPrefix(file, count: 4096), as: UTF8.self)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == name { return Int(parts[1]) }
        }
        return nil
    }
}

/// Why the action process ended, when it was not a plain exit: the signal
/// that killed it and, when the cgroup counted an OOM kill since it
/// started, that it ran out of memory and the limit.
package struct ExitReport: Equatable, Sendable {
    package let signal: Int32
    package let outOfMemory: Bool
    package let limitBytes: Int64?

    /// For a wait status; nil for an exit with a status.
    init?(waitStatus: Int32, oomKillsAtStart: Int?, oomKillsNow: Int?, limitBytes: Int64?) {
        let signal = waitStatus & 0x7f
        guard signal != 0 else { return nil }
        self.signal = signal
        if let before = oomKillsAtStart, let now = oomKillsNow {
            outOfMemory = now > before
        } else {
            outOfMemory = false
        }
        self.limitBytes = limitBytes
    }

    /// `killed by signal 9 (SIGKILL): it ran out of memory (the container's limit is 256 MiB)`.
    package var description: String {
        var text = "killed by signal \(signal)\(Self.name(signal).map { " (\($0))" } ?? "")"
        if outOfMemory {
            text += ": it ran out of memory"
            if let limitBytes { text += " (the container's limit is \(Self.size(limitBytes)))" }
        }
        return text
    }

    static func name(_ signal: Int32) -> String? {
        [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL",
            11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ",
        ][signal]
    }

    static func size(_ bytes: Int64) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
