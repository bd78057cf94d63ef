/// An amount in cents, written as "12.34" in JSON: no floating-point drift.
struct Money: Encodable {
    let cents: Int

    init(cents: Int) { self.cents = cents }

    /// "2.40", "2.4" or "2"; nil for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let units = Int(parts[0]), units >= 0 else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : "0"
        guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isNumber) else { return nil }
        if fraction.count == 1 { fraction += "0" }
        cents = units * 100 + Int(fraction)!
    }

    static func + (left: Money, right: Money) -> Money { Money(cents: left.cents + right.cents) }
    static func * (left: Money, right: Int) -> Money { Money(cents: left.cents * right) }

    /// `percent` % of the amount, rounded half up to the cent.
    func percent(_ percent: Int) -> Money { Money(cents: (cents * percent + 50) / 100) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        let fraction = cents % 100
        try container.encode("\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)")
    }
}
