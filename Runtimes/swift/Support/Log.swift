import Foundation

/// The container log: the action's stdout and stderr, which it shares with
/// the action's own code.
enum Log {
    /// A line of the launcher on stderr, unbuffered.
    static func write(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Pushes out what the action's code left in stdio buffers (`print`
    /// writes to a buffered stdout when it is a pipe).
    static func flush() {
        fflush(nil)
    }
}
