#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSystemShims
import NIOConcurrencyHelpers

/// Reaps every child of the proxy, on one thread, with `waitpid(-1)`.
///
/// In a container the proxy is PID 1: processes that the action leaves behind
/// are re-parented to it, and only a wait for any child reaps them. So all
/// waiting goes through here: the children the proxy starts are registered at
/// spawn, and their exit status goes to whoever watches them; any other child
/// is reaped and forgotten.
final class ChildReaper: Sendable {
    static let shared = ChildReaper()

    private enum Child {
        case running
        case watched(@Sendable (Int32) -> Void)
        case exited(Int32)
    }

    private let children = NIOLockedValueBox<[pid_t: Child]>([:])
    /// Posted at every spawn: the reaper sleeps on it while there is no child.
    private nonisolated(unsafe) let spawned = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    private init() {
        // Outside a container too, what the action leaves behind comes to the
        // proxy rather than to the machine's init, and is reaped here.
        actionproxy_become_child_subreaper()
        sem_init(spawned, 0, 0)
        var thread = pthread_t()
        pthread_create(&thread, nil, { _ in
            ChildReaper.shared.reapForever()
            return nil
        }, nil)
        pthread_detach(thread)
    }

    /// Starts the reaper's thread now rather than at the first spawn.
    static func prepare() {
        _ = shared
    }

    /// Runs `start` (which spawns and returns the pid) so that the child is
    /// known before anyone can reap it.
    func spawn(_ start: () throws(SpawnError) -> pid_t) throws(SpawnError) -> pid_t {
        let started: Result<pid_t, SpawnError> = children.withLockedValue { children in
            do throws(SpawnError) {
                let pid = try start()
                children[pid] = .running
                return .success(pid)
            } catch {
                return .failure(error)
            }
        }
        sem_post(spawned)
        return try started.get()
    }

    /// Calls `handler` with the wait status once `pid` has exited (at once if it has).
    func watch(_ pid: pid_t, _ handler: @escaping @Sendable (Int32) -> Void) {
        let status: Int32? = children.withLockedValue { children in
            if case .exited(let status) = children[pid] {
                children[pid] = nil
                return status
            }
            children[pid] = .watched(handler)
            return nil
        }
        if let status { handler(status) }
    }

    /// Blocks until `pid` has exited and returns its wait status.
    func waitForExit(_ pid: pid_t) -> Int32 {
        let done = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        sem_init(done, 0, 0)
        defer {
            sem_destroy(done)
            done.deallocate()
        }
        let result = NIOLockedValueBox<Int32>(0)
        nonisolated(unsafe) let semaphore = done
        watch(pid) { status in
            result.withLockedValue { $0 = status }
            sem_post(semaphore)
        }
        while sem_wait(done) != 0 && errno == EINTR {}
        return result.withLockedValue { $0 }
    }

    private func reapForever() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid > 0 {
                deliver(pid, status)
            } else if errno == ECHILD {
                while sem_wait(spawned) != 0 && errno == EINTR {}
            }
        }
    }

    private func deliver(_ pid: pid_t, _ status: Int32) {
        let handler: (@Sendable (Int32) -> Void)? = children.withLockedValue { children in
            switch children[pid] {
            case .watched(let handler):
                children[pid] = nil
                return handler
            case .running:
                children[pid] = .exited(status)
                return nil
            case .exited, nil:
                // Not one of ours: an orphan re-parented to the proxy, now reaped.
                return nil
            }
        }
        handler?(status)
    }
}
