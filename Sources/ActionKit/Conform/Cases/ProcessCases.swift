/// The contract's action process (docs/contract.md).
enum ProcessCases {
    static let all: [ConformanceCase] = [
        ConformanceCase(
            "process.layout",
            "the action runs as action/N/bin/exec under the proxy's working folder, which is its working folder",
            runtimes: .lineProtocol, need: .initialised(LineAction.action)
        ) { context in
            let location = try context.expectObject(
                try context.run(LineAction.value(.location)), "a run that reports its location")
            guard let cwd = location["cwd"] as? String, let exec = location["exec"] as? String else {
                throw CaseFailure("the action did not report its location: \(JSONValue.text(location))")
            }
            let prefix = cwd == "/" ? "/action/" : cwd + "/action/"
            let rest = exec.hasPrefix(prefix) ? exec.dropFirst(prefix.count).split(separator: "/") : []
            try context.expect(
                rest.count == 3 && Int(rest[0]) != nil && rest[1] == "bin" && rest[2] == "exec",
                "the action is \(exec), with the working folder \(cwd): expected \(prefix)N/bin/exec")
        }
    ]
}
