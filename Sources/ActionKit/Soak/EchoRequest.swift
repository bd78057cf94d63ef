import Foundation

/// One activation for the echo action: its value in canonical JSON and what
/// the proxy must answer to it.
public struct EchoRequest: Sendable {
    /// What the value asks the action to do.
    public enum Fault: String, Sendable, CaseIterable {
        /// Answer the value.
        case none
        /// Answer `{"error":…}`: an application error (200).
        case error
        /// Answer a JSON string: not a result (502).
        case result
        /// Sleep past the activation's deadline: the proxy stops and restarts the action (504).
        case deadline
        /// Exit without an answer (400); the action needs a new init.
        case crash
    }

    public var nonce: String
    public var fault: Fault
    /// The value's JSON, as the action must answer it for `.none`.
    public var value: [UInt8]
    /// Milliseconds from now to the activation's deadline.
    public var deadlineMilliseconds: Int64

    public init(
        nonce: String, fault: Fault = .none, sleepMilliseconds: Int = 0, pad: [UInt8] = [],
        deadlineMilliseconds: Int64 = 60_000
    ) {
        self.nonce = nonce
        self.fault = fault
        self.deadlineMilliseconds = deadlineMilliseconds
        var value = Array(#"{"nonce":""#.utf8)
        value += Array(nonce.utf8)
        value += Array(#"","fault":""#.utf8) + Array(fault.rawValue.utf8)
        value += Array(#"","sleep_ms":"#.utf8) + Array(String(sleepMilliseconds).utf8)
        value += Array(#","pad":""#.utf8) + pad + Array(#""}"#.utf8)
        self.value = value
    }

    /// The `/run` body: the activation's fields, then the value (last, as
    /// the echo action expects).
    public func body(activationID: String) -> Data {
        let deadline = Timestamp.nowMicroseconds() / 1000 + deadlineMilliseconds
        var body = Data(
            (#"{"activation_id":""# + activationID + #"","namespace":"soak","action_name":"/soak/echo","#
                + #""transaction_id":""# + activationID + #"","deadline":""# + String(deadline) + #"","value":"#)
                .utf8)
        body.append(contentsOf: value)
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// The body of the answer the echo action gives, newline included.
    public var expectedAnswer: Data {
        switch fault {
        case .error: Data((#"{"error":"requested failure","nonce":""# + nonce + "\"}\n").utf8)
        default: Data(value + [UInt8(ascii: "\n")])
        }
    }

    /// The HTTP status our proxy answers to it (docs/contract.md).
    public var expectedStatus: Int {
        switch fault {
        case .none, .error: 200
        case .result: 502
        case .deadline: 504
        case .crash: 400
        }
    }
}

/// SplitMix64: a small seeded generator, so that a soak can be replayed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The soak's sequence of requests: seeded sizes from a few bytes to about
/// a megabyte, some faults, every request a unique nonce.
public struct SoakWorkload: Sendable {
    public struct Mix: Sendable {
        /// Largest pad, bytes.
        public var maxSize = 1_000_000
        /// Shares of application errors and non-object results.
        public var errorRate = 0.02
        public var badResultRate = 0.005
        /// Every Nth activation misses its deadline / crashes (0: never).
        public var deadlineEvery = 5_000
        public var crashEvery = 5_000
        /// How long the deadline of a `.deadline` activation is.
        public var deadlineMilliseconds: Int64 = 300

        public init() {}
    }

    private var generator: SeededGenerator
    public let mix: Mix

    public init(seed: UInt64, mix: Mix) {
        var generator = SeededGenerator(seed: seed)
        padPool = PadPool(size: mix.maxSize + 65_536, generator: &generator)
        self.generator = generator
        self.mix = mix
    }

    /// Request number `index` (from 0). The first few take every path once
    /// (the largest value, each fault), so that the memory and descriptors
    /// sampled after the warm-up already include what those paths allocate.
    public mutating func request(_ index: Int) -> EchoRequest {
        let nonce = "n\(index)x" + String(generator.next() & 0xFFFF_FFFF, radix: 16)
        var fault = EchoRequest.Fault.none
        var size = 0
        switch index {
        case 0: size = mix.maxSize
        case 1 where mix.errorRate > 0: fault = .error
        case 2 where mix.badResultRate > 0: fault = .result
        case 3 where mix.deadlineEvery > 0: fault = .deadline
        case 4 where mix.crashEvery > 0: fault = .crash
        default:
            if mix.deadlineEvery > 0 && index % mix.deadlineEvery == mix.deadlineEvery / 2 {
                fault = .deadline
            } else if mix.crashEvery > 0 && index % mix.crashEvery == 0 {
                fault = .crash
            } else {
                let draw = Double(generator.next() >> 11) / Double(1 << 53)
                if draw < mix.errorRate {
                    fault = .error
                } else if draw < mix.errorRate + mix.badResultRate {
                    fault = .result
                }
            }
            size = nextSize()
        }
        let sleep = fault == .deadline ? 30_000 : 0
        let deadline = fault == .deadline ? mix.deadlineMilliseconds : 60_000
        return EchoRequest(
            nonce: nonce, fault: fault, sleepMilliseconds: sleep, pad: pad(size), deadlineMilliseconds: deadline)
    }

    /// 90% up to 1 kB, 9% up to 64 kB, 1% up to the maximum.
    private mutating func nextSize() -> Int {
        let bucket = generator.next() % 100
        let limit = bucket < 90 ? 1_024 : bucket < 99 ? 65_536 : mix.maxSize
        return Int(generator.next() % UInt64(max(limit, 1) + 1))
    }

    /// Canonical JSON string content of about `size` bytes: a slice of the
    /// pool, from one fragment's start to another's, so that no escape or
    /// multi-byte character is cut.
    private mutating func pad(_ size: Int) -> [UInt8] {
        guard size > 0 else { return [] }
        let pool = padPool
        var start = Int(generator.next() % UInt64(max(pool.bytes.count - size - 8, 1)))
        while !pool.starts[start] { start += 1 }
        var end = min(start + size, pool.bytes.count - 1)
        while !pool.starts[end] { end += 1 }
        return Array(pool.bytes[start..<end])
    }

    /// Seeded fragments, more than the largest pad: letters, digits,
    /// spaces, escapes (`\"`, `\\`, `\n`, `\t`) and multi-byte characters,
    /// written as Python's and Node's serialisers write them.
    private struct PadPool: Sendable {
        var bytes: [UInt8] = []
        /// Whether a fragment starts at each byte (and at the end).
        var starts: [Bool] = []

        init(size: Int, generator: inout SeededGenerator) {
            bytes.reserveCapacity(size + 8)
            starts.reserveCapacity(size + 8)
            while bytes.count < size {
                var bits = generator.next()
                for _ in 0..<10 {
                    let fragment = SoakWorkload.fragments[Int(bits & 63)]
                    bits >>= 6
                    starts.append(true)
                    starts += repeatElement(false, count: fragment.count - 1)
                    bytes += fragment
                }
            }
            starts.append(true)
            bytes.append(UInt8(ascii: " "))
            starts.append(true)
        }
    }

    private let padPool: PadPool

    fileprivate static let fragments: [[UInt8]] = {
        var table = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8).map { [$0] }
        table += [" ", " ", " ", " ", #"\""#, #"\\"#, #"\n"#, #"\t"#, "é", "❄", "😀", "/"].map { Array($0.utf8) }
        return table
    }()
}
