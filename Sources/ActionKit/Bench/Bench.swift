import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `actionkit bench`: the same workloads on the proxy and, when given, on a
/// reference proxy, interleaved round by round so that both meet the same
/// machine (other work on it swings absolute times 2–3×; the ratios of one
/// run hold).
public struct Bench {
    public var proxy: BenchTarget
    public var reference: BenchTarget?
    public var action: ActionCode
    /// What the action is, for the report.
    public var actionName: String
    public var main = "main"
    /// The action the init scenario sends, when not `action` (a bigger one, say).
    public var initAction: (code: ActionCode, name: String)?
    public var scenarios: [BenchScenario] = [.warm]
    public var rounds = 3
    /// Measuring time of each warm scenario, per round and proxy.
    public var durationSeconds = 2.0
    public var warmupSeconds = 0.5
    public var concurrency = 1
    public var payloadBytes = 32
    public var largePayloadBytes = 1 << 20
    /// Inits and cold starts per round and proxy.
    public var samples = 5
    public var activations = 10_000
    /// The size of the large-init actions' code: the zip's base64, the script.
    public var largeInitBytes = 40 << 20
    /// Where progress lines go (stderr for the command).
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(proxy: BenchTarget, reference: BenchTarget?, action: ActionCode, actionName: String) {
        self.proxy = proxy
        self.reference = reference
        self.action = action
        self.actionName = actionName
    }

    public func run() throws(BenchError) -> BenchReport {
        let machine = MachineInfo.current()
        let targets = [proxy] + (reference.map { [$0] } ?? [])
        let rows = try measurements()
        var tallies = [[Tally]](
            repeating: [Tally](repeating: Tally(), count: targets.count), count: rows.count)
        for round in 1...rounds {
            // Who goes first alternates: neither always meets a warmer machine.
            let order = round % 2 == 1 ? Array(targets.indices) : Array(targets.indices.reversed())
            for (index, row) in rows.enumerated() {
                for target in order {
                    progress("round \(round)/\(rounds): \(row.title) on the \(targets[target].role)")
                    try measure(row, on: targets[target], into: &tallies[index][target])
                }
            }
        }
        let results = rows.enumerated().map { index, row in
            let mine = tallies[index][0].result(command: proxy.command)
            let theirs = reference.map { tallies[index][1].result(command: $0.command) }
            return ScenarioResult(
                scenario: row.name, title: row.title, proxy: mine, reference: theirs,
                ratios: ScenarioResult.ratios(mine, theirs), goal: row.goal)
        }
        let settings = BenchSettings(
            proxy: proxy.command, reference: reference?.command, action: actionName, initAction: initAction?.name,
            rounds: rounds,
            durationSeconds: durationSeconds, warmupSeconds: warmupSeconds, concurrency: concurrency,
            payloadBytes: payloadBytes, largePayloadBytes: largePayloadBytes, samples: samples,
            activations: activations, largeInitBytes: scenarios.contains(.largeInit) ? largeInitBytes : nil)
        return BenchReport(machine: machine, settings: settings, scenarios: results)
    }

    func title(of scenario: BenchScenario) -> String {
        let connections = concurrency == 1 ? "1 connection" : "\(concurrency) connections"
        switch scenario {
        case .warm: return "warm /run, \(ByteCount.text(payloadBytes)) value, \(connections)"
        case .large: return "warm /run, \(ByteCount.text(largePayloadBytes)) value, \(connections)"
        case .`init`: return "/init of \(initAction?.name ?? actionName)"
        case .cold: return "cold start to the first /run answered"
        case .rss: return "RSS after \(activations) activations"
        case .largeInit: return "/init of \(ByteCount.text(largeInitBytes)) actions"
        }
    }

    /// One row of the report: a scenario, or one form of the large init
    /// with its request made once.
    struct Measurement {
        var scenario: BenchScenario
        var name: String
        var title: String
        var goal: RatioGoal?
        var largeInitRequest: [UInt8] = []
    }

    /// The rows of `scenarios`: the large init gives two, its actions made here.
    private func measurements() throws(BenchError) -> [Measurement] {
        var rows: [Measurement] = []
        for scenario in scenarios {
            guard scenario == .largeInit else {
                rows.append(Measurement(scenario: scenario, name: scenario.rawValue, title: title(of: scenario)))
                continue
            }
            for form in LargeInit.Form.allCases {
                progress("making the large-init \(form.rawValue) (\(ByteCount.text(largeInitBytes)))")
                let action = LargeInit.action(form, bytes: largeInitBytes)
                // Slashes as they are, as an invoker sends them (base64 is full of them).
                rows.append(
                    Measurement(
                        scenario: scenario, name: "\(scenario.rawValue)-\(form.rawValue)",
                        title: "/init of \(action.name)", goal: RatioGoal(figure: "p50", atMost: 0.5),
                        largeInitRequest: try initBody(action.code, escapingSlashes: false)))
            }
        }
        return rows
    }

    // MARK: - Scenarios

    private func measure(_ row: Measurement, on target: BenchTarget, into tally: inout Tally)
        throws(BenchError)
    {
        switch row.scenario {
        case .warm: try warm(target, payloadBytes: payloadBytes, into: &tally)
        case .large: try warm(target, payloadBytes: largePayloadBytes, into: &tally)
        case .`init`: try initLatency(target, request: try initBody(initAction?.code ?? action), into: &tally)
        case .cold: try coldStart(target, into: &tally)
        case .rss: try residentMemory(target, into: &tally)
        case .largeInit: try initLatency(target, request: row.largeInitRequest, into: &tally)
        }
    }

    private func warm(_ target: BenchTarget, payloadBytes: Int, into tally: inout Tally) throws(BenchError) {
        let served = try target.start()
        defer { served.stop() }
        try initialize(port: served.port, role: target.role)
        let request = BenchConnection.post("/run", body: runBody(payloadBytes: payloadBytes))
        let lanes = try (0..<concurrency).map { _ throws(BenchError) in try Lane(port: served.port) }
        try drive(lanes, request: request, seconds: warmupSeconds)
        for lane in lanes { lane.reset() }
        let elapsed = try drive(lanes, request: request, seconds: durationSeconds)
        for lane in lanes { tally.add(lane) }
        tally.measuredNanoseconds += elapsed
        if let pid = served.processID { tally.noteMemory(ResidentMemory.of(pid)) }
    }

    /// `--samples` inits, each on a fresh proxy: from the first byte sent
    /// to the last byte of the answer read, and the proxy's peak resident
    /// memory (`VmHWM`) once it answered.
    private func initLatency(_ target: BenchTarget, request: [UInt8], into tally: inout Tally) throws(BenchError) {
        for _ in 0..<samples {
            let served = try target.start()
            defer { served.stop() }
            let connection = try BenchConnection(port: served.port)
            let start = Clock.now()
            let status = try connection.exchange(request)
            tally.record(Clock.now() - start, ok: status == 200)
            if let pid = served.processID { tally.notePeak(ResidentMemory.of(pid)?.peak) }
        }
    }

    private func coldStart(_ target: BenchTarget, into tally: inout Tally) throws(BenchError) {
        let initRequest = try initBody()
        let runRequest = BenchConnection.post("/run", body: runBody(payloadBytes: payloadBytes))
        for _ in 0..<samples {
            let port: Int
            if let fixed = target.fixedPort { port = fixed } else { port = try Self.freePort() }
            let (environment, arguments) = target.words(port: port)
            let spawned = try SpawnedProxy(arguments: arguments, environment: environment)
            defer { spawned.stop() }
            let start = spawned.startedAt
            let connection = try Self.firstConnection(to: port, of: spawned, role: target.role)
            let initialized = try connection.exchange(initRequest)
            let ran = initialized == 200 ? try connection.exchange(runRequest) : initialized
            tally.record(Clock.now() - start, ok: ran == 200)
        }
    }

    /// The first connection the spawned proxy accepts, tried every 0.2 ms.
    private static func firstConnection(to port: Int, of spawned: SpawnedProxy, role: String) throws(BenchError)
        -> BenchConnection
    {
        while true {
            if let ready = try? BenchConnection(port: port) { return ready }
            if !spawned.isRunning || Clock.now() - spawned.startedAt > 30_000_000_000 {
                throw .failed("\(role) did not listen on port \(port)")
            }
            usleep(200)
        }
    }

    private func residentMemory(_ target: BenchTarget, into tally: inout Tally) throws(BenchError) {
        let served = try target.start()
        defer { served.stop() }
        try initialize(port: served.port, role: target.role)
        let connection = try BenchConnection(port: served.port)
        let request = BenchConnection.post("/run", body: runBody(payloadBytes: payloadBytes))
        var failed = 0
        for _ in 0..<activations where try connection.exchange(request) != 200 { failed += 1 }
        tally.completed += activations - failed
        tally.errors += failed
        if let pid = served.processID { tally.noteMemory(ResidentMemory.of(pid)) }
    }

    // MARK: - Pieces

    private func initialize(port: Int, role: String) throws(BenchError) {
        let connection = try BenchConnection(port: port)
        let status = try connection.exchange(try initBody())
        guard status == 200 else { throw .failed("the \(role)'s /init answered \(status): \(connection.body)") }
    }

    private func initBody(_ code: ActionCode? = nil, escapingSlashes: Bool = true) throws(BenchError) -> [UInt8] {
        let body: Data
        do {
            body = try JSONSerialization.data(
                withJSONObject: (code ?? action).initBody(main: main),
                options: escapingSlashes ? [] : [.withoutEscapingSlashes])
        } catch {
            throw .failed("cannot encode the /init body: \(error)")
        }
        return BenchConnection.post("/init", body: Array(body))
    }

    /// An activation as an invoker sends it, with a string of `payloadBytes`
    /// in its value and a deadline an hour ahead.
    private func runBody(payloadBytes: Int) -> [UInt8] {
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
        let head =
            "{\"value\":{\"payload\":\""
        let tail =
            "\"},\"namespace\":\"guest\",\"action_name\":\"bench\",\"action_version\":\"0.0.1\","
            + "\"activation_id\":\"a1b2c3d4e5f60718293a4b5c6d7e8f90\",\"transaction_id\":\"bench\","
            + "\"deadline\":\"\(deadline)\"}"
        return Array(head.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: payloadBytes) + Array(tail.utf8)
    }

    /// Runs every lane (one connection each, one thread each) for `seconds`:
    /// the time it took, in nanoseconds.
    @discardableResult
    private func drive(_ lanes: [Lane], request: [UInt8], seconds: Double) throws(BenchError) -> UInt64 {
        let start = Clock.now()
        let deadline = start + UInt64(seconds * 1e9)
        if lanes.count == 1 {
            lanes[0].run(request, until: deadline)
        } else {
            let done = DispatchGroup()
            for lane in lanes {
                done.enter()
                let thread = Thread {
                    lane.run(request, until: deadline)
                    done.leave()
                }
                thread.start()
            }
            done.wait()
        }
        if let failure = lanes.compactMap(\.failure).first { throw failure }
        return Clock.now() - start
    }

    static func freePort() throws(BenchError) -> Int {
        do {
            return try FreePort.pick()
        } catch {
            throw .failed("\(error)")
        }
    }
}

/// One connection driven by one thread; read only once its thread is done.
final class Lane: @unchecked Sendable {
    let connection: BenchConnection
    var samples: [UInt64] = []
    var errors = 0
    var failure: BenchError?

    init(port: Int) throws(BenchError) {
        connection = try BenchConnection(port: port)
        samples.reserveCapacity(1 << 16)
    }

    func run(_ request: [UInt8], until deadline: UInt64) {
        var now = Clock.now()
        while now < deadline {
            do {
                let status = try connection.exchange(request)
                let end = Clock.now()
                if status == 200 { samples.append(end - now) } else { errors += 1 }
                now = end
            } catch {
                failure = error
                return
            }
        }
    }

    func reset() {
        samples.removeAll(keepingCapacity: true)
        errors = 0
    }
}

/// What one scenario gathered on one proxy over the rounds.
struct Tally {
    var samples: [UInt64] = []
    var completed = 0
    var errors = 0
    var measuredNanoseconds: UInt64 = 0
    var memory: ResidentMemory?
    var peak: Int?

    mutating func record(_ nanoseconds: UInt64, ok: Bool) {
        if ok {
            samples.append(nanoseconds)
            completed += 1
        } else {
            errors += 1
        }
    }

    mutating func add(_ lane: Lane) {
        samples += lane.samples
        completed += lane.samples.count
        errors += lane.errors
    }

    /// Keeps the largest resident memory seen.
    mutating func noteMemory(_ measured: ResidentMemory?) {
        guard let measured else { return }
        if memory == nil || measured.total > memory!.total { memory = measured }
    }

    /// Keeps the largest peak resident memory seen.
    mutating func notePeak(_ measured: Int?) {
        guard let measured else { return }
        peak = max(peak ?? 0, measured)
    }

    func result(command: String) -> TargetResult {
        TargetResult(
            command: command, completed: completed, errors: errors, latency: LatencySummary(nanoseconds: samples),
            throughput: measuredNanoseconds > 0 ? Double(completed) / (Double(measuredNanoseconds) / 1e9) : nil,
            rssKiB: memory?.total, rssAnonKiB: memory?.anonymous, rssFileKiB: memory?.file, rssPeakKiB: peak)
    }
}
