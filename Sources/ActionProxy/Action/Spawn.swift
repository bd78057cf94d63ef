import CSystemShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A child started with `posix_spawn`. Only what the proxy needs: chosen
/// descriptors for fds 0–3, an explicit environment, its own process group.
struct Spawn {
    /// `fd` in the child, taken from `source` in the parent.
    struct Mapping {
        var source: Int32
        var target: Int32
    }

    var executable: String
    var arguments: [String] = []
    var environment: [String]
    var mappings: [Mapping] = []

    /// Starts the child; returns its pid. The child leads a new process group
    /// so that stopping it also stops what it started.
    func start() throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for mapping in mappings {
            posix_spawn_file_actions_adddup2(&actions, mapping.source, mapping.target)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The proxy ignores SIGPIPE; the action gets the default behaviour back
        // and an empty signal mask, whatever thread spawns it.
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv = [executable] + arguments
        var lastError = SpawnError(executable: executable, code: ETXTBSY)
        // A freshly written executable can briefly be busy ("text file busy")
        // while another thread's spawn still holds its write descriptor.
        for attempt in 0..<20 {
            do {
                // Registered with the reaper in the same step, so its exit is never missed.
                return try ChildReaper.shared.spawn { () throws(SpawnError) -> pid_t in
                    var pid: pid_t = 0
                    let result = withCStrings(argv) { argvPointer in
                        withCStrings(environment) { envPointer in
                            posix_spawn(&pid, executable, &actions, &attributes, argvPointer, envPointer)
                        }
                    }
                    if result != 0 { throw SpawnError(executable: executable, code: result) }
                    OutOfMemoryScore.preferKilling(pid)
                    return pid
                }
            } catch  where error.code == ETXTBSY {
                lastError = error
                usleep(UInt32(1000 * (attempt + 1)))
            }
        }
        throw lastError
    }
}

/// When memory runs out, the kernel kills the process with the highest
/// score: the action (and what it starts after this) gets the highest, so
/// that it is never the proxy.
enum OutOfMemoryScore {
    static func preferKilling(_ pid: pid_t) {
        let fd = open("/proc/\(pid)/oom_score_adj", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = "1000".withCString { write(fd, $0, 4) }
        close(fd)
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let executable: String
    let code: Int32
    var description: String {
        let reason = "\(executable): \(String(cString: strerror(code)))"
        guard code == EACCES, Self.onNoexecMount(executable) else { return reason }
        return reason
            + ": its filesystem is mounted noexec, where no program can start (Docker's plain --tmpfs /tmp is:"
            + " use --tmpfs /tmp:exec, or name a folder elsewhere with OW_ACTION_DIR)"
    }

    /// Linux's ST_NOEXEC (sys/statvfs.h), which Glibc's module does not export.
    private static let noexecFlag: UInt = 8

    /// Whether `path` is on a filesystem mounted `noexec`.
    static func onNoexecMount(_ path: String) -> Bool {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return false }
        return info.f_flag & Self.noexecFlag != 0
    }
}

/// A NULL-terminated `char *[]` for the duration of `body`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// A pipe whose two ends are close-on-exec and numbered above 9, so that
/// mapping them onto fds 0–3 in a child never collides with a low number.
struct Pipe {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws(SpawnError) {
        var fds: [Int32] = [0, 0]
        guard pipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnError(executable: "pipe", code: errno) }
        readEnd = Pipe.moveHigh(fds[0])
        writeEnd = Pipe.moveHigh(fds[1])
    }

    private static func moveHigh(_ fd: Int32) -> Int32 {
        if fd > 9 { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        if moved < 0 { return fd }
        close(fd)
        return moved
    }
}

/// Waits for a child to end and returns its wait status.
func waitForExit(_ pid: pid_t) -> Int32 {
    ChildReaper.shared.waitForExit(pid)
}

/// A readable summary of a wait status: "exit status 1", "killed by signal 9".
func describeWaitStatus(_ status: Int32) -> String {
    let signal = status & 0x7f
    if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
    return "killed by signal \(signal)"
}
