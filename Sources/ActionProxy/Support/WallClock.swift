#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The time of day, as the invoker writes deadlines: milliseconds since the epoch.
enum WallClock {
    static func milliseconds() -> Int64 { read(CLOCK_REALTIME) }

    /// A clock for timeouts: it never jumps when the time of day is set.
    static func monotonicMilliseconds() -> Int64 { read(CLOCK_MONOTONIC) }

    private static func read(_ clock: clockid_t) -> Int64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
