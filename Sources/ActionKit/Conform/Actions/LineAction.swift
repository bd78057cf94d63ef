import Foundation

/// The kit's action for the contract cases of every line-protocol runtime:
/// a POSIX shell script (every image has /bin/sh, and a `#!` script is run
/// as it is, compiler or not). It acks when the proxy asks for it, logs one
/// line per stream per activation, and answers according to the `conform`
/// member of the value — matched as text in the line, which the kit sends
/// as compact JSON — or echoes the whole line.
enum LineAction {
    /// The modes, as the value's `conform` member names them.
    enum Mode: String {
        case array, string, number, boolean, null, error, count, environment = "env", location = "where", unicode
        /// Exits without answering.
        case exit
        /// Answers, then exits a moment later (at once, and a proxy may
        /// see the exit before the answer).
        case answerThenExit = "answer-then-exit"
        /// Answers after a second.
        case sleep
        /// Answers a second later from a background process, reading on
        /// meanwhile: a proxy that lets a second request through gets that
        /// one's answer first.
        case lateAnswer = "late-answer"
        /// Writes two lines on fd 3.
        case twice
        /// Never answers (but goes on reading).
        case hang
    }

    static let script = #"""
        #!/bin/sh
        # actionkit conform: the line-protocol test action.
        if [ -n "$__OW_WAIT_FOR_ACK" ]; then echo '{"ok":true}' >&3; fi
        n=0
        while IFS= read -r line; do
          n=$((n + 1))
          echo "stdout of activation $n"
          echo "stderr of activation $n" >&2
          case "$line" in
          *'"conform":"array"'*) echo '[1,"two",{"three":3}]' >&3 ;;
          *'"conform":"string"'*) echo '"a string"' >&3 ;;
          *'"conform":"number"'*) echo '42' >&3 ;;
          *'"conform":"boolean"'*) echo 'true' >&3 ;;
          *'"conform":"null"'*) echo 'null' >&3 ;;
          *'"conform":"error"'*) echo '{"error":"the action failed"}' >&3 ;;
          *'"conform":"count"'*) echo "{\"count\":$n}" >&3 ;;
          *'"conform":"env"'*) printf '{"env":"%s"}\n' "$(env -0 | base64 | tr -d '\n')" >&3 ;;
          *'"conform":"where"'*)
            printf '{"cwd":"%s","exec":"%s/%s"}\n' "$(pwd)" "$(cd "$(dirname "$0")" && pwd)" "$(basename "$0")" >&3 ;;
          *'"conform":"unicode"'*) printf '%s\n' "$line"; printf '%s\n' "$line" >&2; printf '%s\n' "$line" >&3 ;;
          *'"conform":"exit"'*) exit 3 ;;
          *'"conform":"answer-then-exit"'*) echo '{"exiting":true}' >&3; sleep 0.2; exit 0 ;;
          *'"conform":"sleep"'*) sleep 1; echo '{"slept":true}' >&3 ;;
          *'"conform":"late-answer"'*) (sleep 1; echo '{"late":true}' >&3) & ;;
          *'"conform":"twice"'*) echo '{"first":true}' >&3; sleep 0.2; echo '{"second":true}' >&3 ;;
          *'"conform":"hang"'*) ;;
          *) printf '%s\n' "$line" >&3 ;;
          esac
        done
        """#

    static let action = TestAction("the line-protocol shell action", source: script)

    /// The value that selects `mode`, with `extra` members.
    static func value(_ mode: Mode, _ extra: [String: Any] = [:]) -> [String: Any] {
        extra.merging(["conform": mode.rawValue]) { $1 }
    }

    /// The action's environment from its answer to `env`: `env -0`, base64.
    static func environment(_ response: HTTPResponse, _ context: CaseContext) throws -> [String: String] {
        let object = try context.expectObject(response, "the run that reports the environment")
        guard let text = object["env"] as? String, let data = Data(base64Encoded: text) else {
            throw CaseFailure("the action's environment report is not base64: \(CaseContext.show(response))")
        }
        var environment: [String: String] = [:]
        for entry in data.split(separator: 0, omittingEmptySubsequences: true) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return environment
    }

    /// An action that acks when asked, then runs `body` for each line
    /// (`$line` holds it): for cases that need a script of their own.
    static func custom(_ name: String, perLine body: String, before: String = "") -> TestAction {
        TestAction(
            name,
            source: """
                #!/bin/sh
                if [ -n "$__OW_WAIT_FOR_ACK" ]; then echo '{"ok":true}' >&3; fi
                \(before)
                while IFS= read -r line; do
                \(body)
                done
                """)
    }
}
