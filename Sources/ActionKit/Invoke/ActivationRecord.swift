import Foundation

/// An activation as the platform records it (`wsk activation get`): the
/// same members, the same status texts, logs as `TIME stream: text` lines.
public struct ActivationRecord: @unchecked Sendable {
    // @unchecked: `outcome.result` and annotation values are JSONSerialization
    // values, immutable once built.
    public var activationID: String
    public var namespace: String
    public var name: String
    public var version: String = "0.0.1"
    /// Milliseconds since the epoch: the init's start for a cold activation
    /// (the platform counts the init in the duration), else the run's.
    public var start: Int64
    public var end: Int64
    public var outcome: ActivationOutcome
    public var logs: [String]
    /// Key–value pairs in the platform's order.
    public var annotations: [(key: String, value: Any)]
    /// The init's duration for a cold activation, nil for a warm one.
    public var initTime: Int?

    public var duration: Int64 { end - start }
    public var isCold: Bool { initTime != nil }

    public init(
        activationID: String, namespace: String, name: String, start: Int64, end: Int64,
        outcome: ActivationOutcome, logs: [String], annotations: [(key: String, value: Any)], initTime: Int?
    ) {
        self.activationID = activationID
        self.namespace = namespace
        self.name = name
        self.start = start
        self.end = end
        self.outcome = outcome
        self.logs = logs
        self.annotations = annotations
        self.initTime = initTime
    }

    /// The record as a JSON object.
    public var jsonObject: [String: Any] {
        var response: [String: Any] = [
            "status": outcome.status.text,
            "success": outcome.status == .success,
            "result": outcome.result,
        ]
        if let data = try? JSONSerialization.data(withJSONObject: outcome.result, options: [.fragmentsAllowed]) {
            response["size"] = data.count
        }
        var allAnnotations = annotations
        allAnnotations.append((key: "timeout", value: outcome.timedOut))
        if let initTime { allAnnotations.append((key: "initTime", value: initTime)) }
        return [
            "activationId": activationID,
            "namespace": namespace,
            "name": name,
            "version": version,
            "subject": namespace,
            "publish": false,
            "start": start,
            "end": end,
            "duration": duration,
            "response": response,
            "logs": logs,
            "annotations": allAnnotations.map { ["key": $0.key, "value": $0.value] },
        ]
    }
}

/// Several activations of one action: cold ones (a fresh proxy, its init
/// counted) and warm ones (the same proxy again).
public struct InvocationSummary: Sendable {
    public struct Durations: Sendable {
        public var count: Int
        public var min: Int64
        public var median: Int64
        public var mean: Double
        public var max: Int64

        init?(_ values: [Int64]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            count = sorted.count
            min = sorted[0]
            median = sorted[sorted.count / 2]
            mean = Double(sorted.reduce(0, +)) / Double(sorted.count)
            max = sorted[sorted.count - 1]
        }

        var jsonObject: [String: Any] {
            ["count": count, "min": min, "median": median, "mean": (mean * 10).rounded() / 10, "max": max]
        }

        var text: String {
            count == 1 ? "\(min) ms" : "median \(median) ms (min \(min), max \(max)) over \(count)"
        }
    }

    public var cold: Durations?
    public var warm: Durations?
    /// Init times of the cold activations.
    public var initTime: Durations?

    public init(_ records: [ActivationRecord]) {
        cold = Durations(records.filter(\.isCold).map(\.duration))
        warm = Durations(records.filter { !$0.isCold }.map(\.duration))
        initTime = Durations(records.compactMap { $0.initTime.map(Int64.init) })
    }

    public var jsonObject: [String: Any] {
        var object: [String: Any] = [:]
        if let cold { object["cold"] = cold.jsonObject }
        if let warm { object["warm"] = warm.jsonObject }
        if let initTime { object["initTime"] = initTime.jsonObject }
        return object
    }

    /// One line for people: `cold 435 ms (init 412 ms); warm median 3 ms (min 2, max 5) over 9`.
    public var text: String {
        var parts: [String] = []
        if let cold { parts.append("cold \(cold.text)" + (initTime.map { " (init \($0.text))" } ?? "")) }
        if let warm { parts.append("warm \(warm.text)") }
        return parts.joined(separator: "; ")
    }
}
