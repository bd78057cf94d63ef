import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One line a proxy wrote, with when it was seen and on which stream.
public struct LogLine: Sendable, Equatable {
    public enum Stream: String, Sendable { case stdout, stderr }

    /// Microseconds since the epoch.
    public var time: Int64
    public var stream: Stream
    public var text: String

    public init(time: Int64, stream: Stream, text: String) {
        self.time = time
        self.stream = stream
        self.text = text
    }

    /// The record's form: `2026-11-27T10:00:00.123456Z stdout: text`.
    public var formatted: String { "\(Timestamp.iso8601(microseconds: time)) \(stream.rawValue): \(text)" }
}

/// Where an invocation reads its proxy's output: all complete lines so far,
/// per stream, timestamped.
public protocol LogSource: AnyObject, Sendable {
    func lines() -> (stdout: [LogLine], stderr: [LogLine])
    func close()
    /// How long to wait between two `lines()` while a sentinel is awaited.
    var pollInterval: TimeInterval { get }
}

extension LogSource {
    public var pollInterval: TimeInterval { 0.005 }
}

/// Cuts a proxy's two streams into activations at the sentinels, as the
/// invoker does, and merges each activation's lines by time.
public final class ActivationLogCollector {
    private let source: LogSource?
    private var stdoutCursor = 0
    private var stderrCursor = 0

    /// `source` nil: the proxy's output is out of reach (its `logs` is nil,
    /// a `--url` proxy), and every activation's lines are none.
    public init(source: LogSource?) {
        self.source = source
    }

    /// The next activation's lines. Waits up to `wait` for the sentinel on
    /// both streams (the platform waits for them after a result); without
    /// them, takes everything written so far, as the platform does after a
    /// failure. `complete` says whether both sentinels came.
    public func next(wait: TimeInterval) -> (lines: [LogLine], complete: Bool) {
        // Nothing to wait for from a proxy whose output is out of reach.
        guard let source else { return ([], true) }
        let deadline = Date().addingTimeInterval(wait)
        var snapshot = source.lines()
        while sentinel(in: snapshot.stdout, from: stdoutCursor) == nil
            || sentinel(in: snapshot.stderr, from: stderrCursor) == nil
        {
            if Date() >= deadline { break }
            usleep(UInt32(source.pollInterval * 1_000_000))
            snapshot = source.lines()
        }
        let (out, outComplete) = take(snapshot.stdout, cursor: &stdoutCursor)
        let (err, errComplete) = take(snapshot.stderr, cursor: &stderrCursor)
        // Stable merge: lines stamped in the same instant keep stdout first.
        let merged = (out + err).enumerated().sorted {
            ($0.element.time, $0.offset) < ($1.element.time, $1.offset)
        }.map(\.element)
        return (merged, outComplete && errComplete)
    }

    public func close() { source?.close() }

    private func sentinel(in lines: [LogLine], from cursor: Int) -> Int? {
        guard cursor < lines.count else { return nil }
        return lines[cursor...].firstIndex { $0.text == ActivationLogs.sentinel }
    }

    private func take(_ lines: [LogLine], cursor: inout Int) -> ([LogLine], Bool) {
        let start = min(cursor, lines.count)
        if let end = sentinel(in: lines, from: start) {
            cursor = end + 1
            return (Array(lines[start..<end]), true)
        }
        cursor = lines.count
        return (Array(lines[start...]), false)
    }
}

/// A host proxy's output files, followed by a thread that stamps each line
/// when it appears (as Docker stamps a container's lines when it reads them).
public final class FileLogFollower: LogSource, @unchecked Sendable {
    // @unchecked: every mutable member is guarded by `lock`.
    private let lock = NSLock()
    private var stdout: [LogLine] = []
    private var stderr: [LogLine] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Follows `folder/stdout` and `folder/stderr` (ProxyProcess's files)
    /// from their current end: earlier output belongs to no activation of ours.
    public init(folder: URL) {
        let outPath = folder.appendingPathComponent("stdout").path
        let errPath = folder.appendingPathComponent("stderr").path
        let thread = Thread { [self] in
            var out = FollowedFile(path: outPath, stream: .stdout)
            var err = FollowedFile(path: errPath, stream: .stderr)
            while true {
                let newOut = out.poll()
                let newErr = err.poll()
                lock.lock()
                stdout += newOut
                stderr += newErr
                let done = stopped
                lock.unlock()
                if done { break }
                usleep(2_000)
            }
            out.close()
            err.close()
            finished.signal()
        }
        thread.name = "actionkit log follower"
        thread.start()
    }

    public func lines() -> (stdout: [LogLine], stderr: [LogLine]) {
        lock.lock()
        defer { lock.unlock() }
        return (stdout, stderr)
    }

    public func close() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { finished.wait() }
    }

    deinit { close() }

    /// One file read from where the last poll stopped, cut into lines.
    private struct FollowedFile {
        let stream: LogLine.Stream
        var descriptor: Int32
        var partial: [UInt8] = []
        /// Reused by every poll (a poll runs every few milliseconds).
        private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        init(path: String, stream: LogLine.Stream) {
            self.stream = stream
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 { lseek(descriptor, 0, SEEK_END) }
        }

        mutating func poll() -> [LogLine] {
            guard descriptor >= 0 else { return [] }
            var lines: [LogLine] = []
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count <= 0 { break }
                let now = Timestamp.nowMicroseconds()
                for byte in buffer[0..<count] {
                    if byte == UInt8(ascii: "\n") {
                        lines.append(LogLine(time: now, stream: stream, text: String(decoding: partial, as: UTF8.self)))
                        partial.removeAll(keepingCapacity: true)
                    } else {
                        partial.append(byte)
                    }
                }
            }
            return lines
        }

        mutating func close() {
            if descriptor >= 0 { Glibc.close(descriptor) }
            descriptor = -1
        }
    }
}

/// A container's output as `docker logs --timestamps` shows it: the
/// daemon's own time for each line.
public final class DockerLogSource: LogSource, @unchecked Sendable {
    // @unchecked: immutable after init.
    private let containerID: String
    /// Lines before these counts (what the container printed at start)
    /// belong to no activation of ours.
    private let skipped: (stdout: Int, stderr: Int)

    public init(containerID: String) {
        self.containerID = containerID
        let current = Self.fetch(containerID)
        skipped = (current.stdout.count, current.stderr.count)
    }

    public func lines() -> (stdout: [LogLine], stderr: [LogLine]) {
        let all = Self.fetch(containerID)
        return (Array(all.stdout.dropFirst(skipped.stdout)), Array(all.stderr.dropFirst(skipped.stderr)))
    }

    public func close() {}

    /// Each `lines()` runs `docker logs` and reads the whole log again.
    public var pollInterval: TimeInterval { 0.05 }

    private static func fetch(_ containerID: String) -> (stdout: [LogLine], stderr: [LogLine]) {
        guard let outcome = try? Docker.run(["logs", "--timestamps", containerID]) else { return ([], []) }
        return (parse(outcome.output, .stdout), parse(outcome.errors, .stderr))
    }

    static func parse(_ text: String, _ stream: LogLine.Stream) -> [LogLine] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map { line in
            let space = line.firstIndex(of: " ") ?? line.endIndex
            let stamp = Timestamp.parse(String(line[..<space]))
            let rest = space < line.endIndex ? String(line[line.index(after: space)...]) : ""
            return LogLine(time: stamp ?? 0, stream: stream, text: stamp == nil ? String(line) : rest)
        }
    }
}

/// RFC 3339 times with microseconds, in UTC.
public enum Timestamp {
    public static func nowMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    /// `2026-11-27T10:00:00.123456Z`.
    public static func iso8601(microseconds: Int64) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        let fraction = Int(microseconds % 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let micro = String(fraction)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))."
            + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
    }

    /// Microseconds since the epoch of an RFC 3339 UTC time (Docker's: up
    /// to nine fraction digits, trailing zeros dropped), or nil.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[10] == UInt8(ascii: "T") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = Int64(timegm(&parts))
        var micro: Int64 = 0
        if bytes[19] == UInt8(ascii: ".") {
            let digits = bytes[20..<(bytes.count - 1)].prefix(6)
            for byte in digits {
                guard (48...57).contains(byte) else { return nil }
                micro = micro * 10 + Int64(byte - 48)
            }
            for _ in digits.count..<6 { micro *= 10 }
        }
        return seconds * 1_000_000 + micro
    }
}
