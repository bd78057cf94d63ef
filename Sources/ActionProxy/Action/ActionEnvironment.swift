/// The environment of the action process and of the compiler (PROTOCOL.md §5).
enum ActionEnvironment {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// `PATH`, every `__OW_*` of the proxy's environment (but a baked
    /// action's code), the proxy's own `__OW_*` values, then the init `env`,
    /// which wins.
    static func forAction(_ configuration: Configuration, initEnvironment: [(name: String, value: String)]) -> [String]
    {
        var variables = Variables()
        variables["PATH"] = configuration.environment["PATH"] ?? defaultPath
        for (name, value) in configuration.environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("__OW_") && name != BakedAction.codeVariable {
            variables[name] = value
        }
        variables["__OW_PROXY_VERSION"] = ProxyVersion.number
        if let value = configuration.executionEnvironment { variables["__OW_EXECUTION_ENV"] = value }
        if let value = configuration.waitForAck { variables["__OW_WAIT_FOR_ACK"] = value }
        for (name, value) in initEnvironment { variables[name] = value }
        return variables.entries
    }

    /// The compiler gets the proxy's whole environment (it may need `HOME`,
    /// caches, toolchain paths) with the action's variables on top.
    static func forCompiler(_ configuration: Configuration, initEnvironment: [(name: String, value: String)])
        -> [String]
    {
        var variables = Variables()
        for (name, value) in configuration.environment.sorted(by: { $0.key < $1.key }) {
            variables[name] = value
        }
        variables["PATH"] = configuration.environment["PATH"] ?? defaultPath
        for (name, value) in initEnvironment { variables[name] = value }
        return variables.entries
    }

    /// Ordered `NAME=value` pairs where a later value replaces an earlier one.
    /// Names that no environment can carry (empty, with `=` or NUL) are left out.
    private struct Variables {
        private var order: [String] = []
        private var values: [String: String] = [:]

        subscript(name: String) -> String? {
            get { values[name] }
            set {
                guard let newValue, Variables.isValid(name), !newValue.utf8.contains(0) else { return }
                if values.updateValue(newValue, forKey: name) == nil { order.append(name) }
            }
        }

        var entries: [String] { order.map { "\($0)=\(values[$0] ?? "")" } }

        private static func isValid(_ name: String) -> Bool {
            !name.isEmpty && !name.utf8.contains(UInt8(ascii: "=")) && !name.utf8.contains(0)
        }
    }
}
