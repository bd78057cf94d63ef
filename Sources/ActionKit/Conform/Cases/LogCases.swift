/// The contract's logs and sentinels (docs/contract.md).
enum LogCases {
    static let all: [ConformanceCase] = [
        ConformanceCase(
            "logs.sentinels",
            "after each activation one sentinel on stdout and one on stderr, after the activation's own log lines",
            runtimes: .lineProtocol, need: .initialised(LineAction.action), needsLogs: true
        ) { context in
            let before = try context.logs()
            let start = ActivationLogs(before.stdout).count
            try context.expect(
                start == ActivationLogs(before.stderr).count,
                "the streams hold different numbers of sentinels before the runs")
            for index in 1...3 {
                try context.expectStatus(try context.run(LineAction.value(.count)), 200, "run \(index)")
                let logs = try context.waitForSentinels(start + index)
                try context.expectSentinels(logs, start + index, "after run \(index)")
            }
            let logs = try context.logs()
            for (name, stream) in [("stdout", logs.stdout), ("stderr", logs.stderr)] {
                let blocks = ActivationLogs(stream).activations.dropFirst(start)
                for (offset, block) in blocks.enumerated() {
                    try context.expect(
                        block.contains { $0.hasPrefix("\(name) of activation ") },
                        "the \(name) line of activation \(offset + 1) is not before its sentinel: \(block)")
                }
            }
        }
    ]
}
