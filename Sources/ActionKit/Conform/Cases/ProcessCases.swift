/// The contract's action process (docs/contract.md).
enum ProcessCases {
    static let all: [ConformanceCase] = [
        ConformanceCase(
            "process.layout",
            "the action runs as action/N/bin/exec under the proxy's working folder, which is its working folder (on a read-only root: /tmp/actionproxy/N/bin/exec)",
            runtimes: .lineProtocol, need: .initialised(LineAction.action)
        ) { context in
            let location = try context.expectObject(
                try context.run(LineAction.value(.location)), "a run that reports its location")
            guard let cwd = location["cwd"] as? String, let exec = location["exec"] as? String else {
                throw CaseFailure("the action did not report its location: \(JSONValue.text(location))")
            }
            // Where the root is read-only the proxy falls back to $TMPDIR/actionproxy.
            let prefix = cwd == "/" ? "/action/" : cwd + "/action/"
            let folder = [prefix, "/tmp/actionproxy/"].first { exec.hasPrefix($0) }
            let rest = folder.map { exec.dropFirst($0.count).split(separator: "/") } ?? []
            try context.expect(
                rest.count == 3 && Int(rest[0]) != nil && rest[1] == "bin" && rest[2] == "exec",
                "the action is \(exec), with the working folder \(cwd): expected \(prefix)N/bin/exec")
        }
    ]
}
