// An invoice from an order: Codable in and out, money in exact cents, and a
// thrown error for an order that cannot be invoiced.

struct Order: Decodable {
    struct Item: Decodable {
        let name: String
        let unitPrice: String
        let quantity: Int?
    }
    let items: [Item]
    let taxPercent: Int?
}

func main(param: Order) throws -> Invoice {
    try Invoice(order: param)
}
