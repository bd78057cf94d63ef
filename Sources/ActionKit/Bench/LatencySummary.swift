/// Latencies of one measurement, in milliseconds: the percentiles a report
/// shows and the whole distribution, a value per percentile, for charts.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    /// The latency at percentiles 0, 1, …, 100 (101 values; 0 is the minimum).
    public var distribution: [Double]

    /// Nil for no samples. `samples` are in nanoseconds.
    public init?(nanoseconds samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func at(_ percentile: Double) -> Double {
            // Nearest rank: the smallest sample with at least `percentile` % of them at or below it.
            let rank = Int((percentile / 100 * Double(sorted.count)).rounded(.up))
            return Double(sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]) / 1_000_000
        }
        count = sorted.count
        mean = Double(sorted.reduce(0, +)) / Double(sorted.count) / 1_000_000
        p50 = at(50)
        p90 = at(90)
        p99 = at(99)
        max = Double(sorted[sorted.count - 1]) / 1_000_000
        distribution = (0...100).map { $0 == 0 ? Double(sorted[0]) / 1_000_000 : at(Double($0)) }
    }
}
