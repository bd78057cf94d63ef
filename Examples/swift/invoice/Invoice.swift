import Foundation

struct Invoice: Encodable {
    struct Line: Encodable {
        let name: String
        let quantity: Int
        let total: Money
    }
    let lines: [Line]
    let net: Money
    let tax: Money
    let gross: Money

    init(order: Order) throws {
        guard !order.items.isEmpty else { throw InvoiceError.empty }
        lines = try order.items.map { item in
            guard let price = Money(item.unitPrice) else { throw InvoiceError.price(item.name, item.unitPrice) }
            let quantity = item.quantity ?? 1
            guard quantity > 0 else { throw InvoiceError.quantity(item.name) }
            return Line(name: item.name, quantity: quantity, total: price * quantity)
        }
        net = lines.reduce(Money(cents: 0)) { $0 + $1.total }
        tax = net.percent(order.taxPercent ?? 0)
        gross = net + tax
    }
}

enum InvoiceError: LocalizedError {
    case empty
    case price(String, String)
    case quantity(String)

    var errorDescription: String? {
        switch self {
        case .empty: "An invoice needs at least one item."
        case .price(let name, let price): "The price of \(name), '\(price)', is not an amount like 2.40."
        case .quantity(let name): "The quantity of \(name) must be at least 1."
        }
    }
}
