/// The actions of upstream's shared runtime suite (BasicActionRunnerTests),
/// one set per runtime, each written as a user of that language writes it.
/// `SharedSuiteCases` runs the same checks with every set.
struct SharedSuiteActions: Sendable {
    /// Prints `hello stdout` and `hello stderr`, answers with its value.
    let echo: TestAction
    /// Answers with its value; its entry point is `niam` (runtimes that run
    /// an executable ignore the name).
    let niam: TestAction
    /// Its source holds ☃; prints `<delimiter> ☃ <delimiter>` and answers
    /// `{"winter": that}`.
    let unicode: TestAction
    /// Reads CONFORM_SET and CONFORM_EMPTY when it is loaded, before any run, and
    /// answers with them (`unset` for one that is not set).
    let loadTimeEnvironment: TestAction
    /// Answers with the seven `__OW_*` values of the activation and the
    /// container, under their lower-case names (`api_host`, `api_key`…).
    let context: TestAction
    /// Answers with a string.
    let notObject: TestAction

    /// The fields of `context`'s answer, as upstream's action names them.
    static let contextFields = [
        "api_host", "api_key", "namespace", "action_name", "action_version", "activation_id", "deadline",
    ]

    static func of(_ runtime: RuntimeKind) -> SharedSuiteActions {
        switch runtime {
        case .python: python
        case .nodejs: nodejs
        case .swift: swift
        case .native: native
        case .blackbox: blackbox
        }
    }

    // MARK: Python

    static let python = SharedSuiteActions(
        echo: PythonCases.action(
            "printing hello and echoing",
            """
            import sys

            def main(args):
                print("hello stdout")
                print("hello stderr", file=sys.stderr)
                return args
            """),
        niam: PythonCases.action("niam", "def niam(args):\n    return args\n", main: "niam"),
        unicode: PythonCases.action(
            "of winter",
            """
            def main(args):
                sep = args["delimiter"]
                winter = sep + " ☃ " + sep
                print(winter)
                return {"winter": winter}
            """),
        loadTimeEnvironment: PythonCases.action(
            "reading env when loaded",
            """
            import os

            set_var = os.environ.get("CONFORM_SET", "unset")
            empty_var = os.environ.get("CONFORM_EMPTY", "unset")

            def main(args):
                return {"CONFORM_SET": set_var, "CONFORM_EMPTY": empty_var}
            """),
        context: PythonCases.action(
            "reporting its context",
            """
            import os

            NAMES = ["api_host", "api_key", "namespace", "action_name", "action_version", "activation_id", "deadline"]

            def main(args):
                return {name: os.environ.get("__OW_" + name.upper(), "???") for name in NAMES}
            """),
        notObject: PythonCases.action("returning a str", "def main(args):\n    return \"not a json object\"\n"))

    // MARK: Node.js

    static let nodejs = SharedSuiteActions(
        echo: NodeCases.action(
            "printing hello and echoing",
            """
            function main(params) {
                console.log("hello stdout");
                console.error("hello stderr");
                return params;
            }
            """),
        niam: NodeCases.action("niam", "function niam(params) { return params; }\n", main: "niam"),
        unicode: NodeCases.action(
            "of winter",
            """
            function main(params) {
                const winter = `${params.delimiter} ☃ ${params.delimiter}`;
                console.log(winter);
                return { winter };
            }
            """),
        loadTimeEnvironment: NodeCases.action(
            "reading env when loaded",
            """
            const setVar = process.env.CONFORM_SET ?? "unset";
            const emptyVar = process.env.CONFORM_EMPTY ?? "unset";

            function main() {
                return { CONFORM_SET: setVar, CONFORM_EMPTY: emptyVar };
            }
            """),
        context: NodeCases.action(
            "reporting its context",
            """
            const names = ["api_host", "api_key", "namespace", "action_name", "action_version", "activation_id", "deadline"];

            function main() {
                return Object.fromEntries(names.map((name) => [name, process.env["__OW_" + name.toUpperCase()] ?? "???"]));
            }
            """),
        notObject: NodeCases.action("returning a string", "function main() { return \"not a json object\"; }\n"))

    // MARK: Swift

    static let swift = SharedSuiteActions(
        echo: SwiftCases.action(
            "printing hello and echoing",
            """
            import Foundation

            func main(args: [String: Any]) -> [String: Any] {
                print("hello stdout")
                FileHandle.standardError.write(Data("hello stderr\\n".utf8))
                return args
            }
            """),
        niam: SwiftCases.action(
            "niam", "func niam(args: [String: Any]) -> [String: Any] {\n    args\n}\n", main: "niam"),
        unicode: SwiftCases.action(
            "of winter",
            """
            func main(args: [String: Any]) -> [String: Any] {
                guard let delimiter = args["delimiter"] as? String else {
                    return ["error": "no delimiter"]
                }
                let winter = "\\(delimiter) ☃ \\(delimiter)"
                print(winter)
                return ["winter": winter]
            }
            """),
        loadTimeEnvironment: SwiftCases.action(
            "reading env when loaded",
            """
            import Foundation

            let setVar = ProcessInfo.processInfo.environment["CONFORM_SET"] ?? "unset"
            let emptyVar = ProcessInfo.processInfo.environment["CONFORM_EMPTY"] ?? "unset"

            func main(args: [String: Any]) -> [String: Any] {
                ["CONFORM_SET": setVar, "CONFORM_EMPTY": emptyVar]
            }
            """),
        context: SwiftCases.action(
            "reporting its context",
            """
            import Foundation

            let names = ["api_host", "api_key", "namespace", "action_name", "action_version", "activation_id", "deadline"]

            func main(args: [String: Any]) -> [String: Any] {
                let env = ProcessInfo.processInfo.environment
                var answer: [String: Any] = [:]
                for name in names {
                    answer[name] = env["__OW_" + name.uppercased()] ?? "???"
                }
                return answer
            }
            """),
        notObject: SwiftCases.action(
            "returning a String", "func main(args: Any) -> Any {\n    \"not a json object\"\n}\n"))

    // MARK: Native: POSIX shell, the line protocol by hand

    /// A native action: acks when asked, then runs `body` for each line in
    /// `$line`. The kit sends its JSON with sorted keys, so `value` is the
    /// last member and `${line#*\"value\":}` less the last brace is the value.
    static func shell(_ name: String, before: String = "", _ body: String, main: String? = nil) -> TestAction {
        TestAction("the shell action \(name)", source: shellSource(before: before, body), main: main)
    }

    /// The source of a native action that runs `body` for each line.
    static func shellSource(before: String = "", _ body: String) -> String {
        """
        #!/bin/sh
        \(before)
        if [ -n "$__OW_WAIT_FOR_ACK" ]; then echo '{"ok":true}' >&3; fi
        field() { f=${line#*\\"$1\\":\\"}; [ "$f" = "$line" ] || printf '%s' "${f%%\\"*}"; }
        while IFS= read -r line; do
          value=${line#*\\"value\\":}
          value=${value%\\}}
        \(body)
        done
        """
    }

    static let native = SharedSuiteActions(
        echo: shell(
            "printing hello and echoing",
            """
              echo "hello stdout"
              echo "hello stderr" >&2
              printf '%s\\n' "$value" >&3
            """),
        niam: shell("niam", "  printf '%s\\n' \"$value\" >&3", main: "niam"),
        unicode: shell(
            "of winter",
            """
              d=${value#*\\"delimiter\\":\\"}
              d=${d%%\\"*}
              echo "$d ☃ $d"
              printf '{"winter":"%s ☃ %s"}\\n' "$d" "$d" >&3
            """),
        loadTimeEnvironment: shell(
            "reading env when loaded", before: "some=${CONFORM_SET-unset}\nanother=${CONFORM_EMPTY-unset}",
            "  printf '{\"CONFORM_SET\":\"%s\",\"CONFORM_EMPTY\":\"%s\"}\\n' \"$some\" \"$another\" >&3"),
        context: shell(
            "reporting its context",
            """
              printf '{"api_host":"%s","api_key":"%s","namespace":"%s","action_name":"%s","action_version":"%s","activation_id":"%s","deadline":"%s"}\\n' \\
                "$__OW_API_HOST" "$(field api_key)" "$(field namespace)" "$(field action_name)" \\
                "$(field action_version)" "$(field activation_id)" "$(field deadline)" >&3
            """),
        notObject: shell("answering a string", "  echo '\"not a json object\"' >&3"))

    // MARK: Blackbox: an executable per activation, its last line the result

    static func script(_ name: String, _ body: String, main: String? = nil) -> TestAction {
        TestAction(
            "the blackbox script \(name)",
            source: "#!/bin/sh\nif [ $# -gt 0 ]; then value=$1; else value=$(cat); fi\n\(body)\n", main: main)
    }

    static let blackbox = SharedSuiteActions(
        echo: script(
            "printing hello and echoing", "echo \"hello stdout\"\necho \"hello stderr\" >&2\nprintf '%s\\n' \"$value\""),
        niam: script("niam", "printf '%s\\n' \"$value\"", main: "niam"),
        unicode: script(
            "of winter",
            """
            d=${value#*\\"delimiter\\":\\"}
            d=${d%%\\"*}
            echo "$d ☃ $d"
            printf '{"winter":"%s ☃ %s"}\\n' "$d" "$d"
            """),
        loadTimeEnvironment: script(
            "reading env",
            "printf '{\"CONFORM_SET\":\"%s\",\"CONFORM_EMPTY\":\"%s\"}\\n' \"${CONFORM_SET-unset}\" \"${CONFORM_EMPTY-unset}\""
        ),
        context: script(
            "reporting its context",
            """
            printf '{"api_host":"%s","api_key":"%s","namespace":"%s","action_name":"%s","action_version":"%s","activation_id":"%s","deadline":"%s"}\\n' \\
              "$__OW_API_HOST" "$__OW_API_KEY" "$__OW_NAMESPACE" "$__OW_ACTION_NAME" \\
              "$__OW_ACTION_VERSION" "$__OW_ACTIVATION_ID" "$__OW_DEADLINE"
            """),
        notObject: script("printing text", "echo \"not a json object\""))
}
