import NIOHTTP1

/// What a web action learns of the HTTP request that ran it (the single
/// entrypoint `/`): OpenWhisk's `__ow_method`, `__ow_headers`, `__ow_path`
/// and `__ow_query` parameters.
package struct HTTPContext: Sendable {
    package var method: String
    /// The path after the route: "" for `/`.
    package var path: String
    /// The query string as sent, without `?`; "" when there is none.
    package var query: String
    /// Names in lower case, in the order sent.
    package var headers: [(name: String, value: String)]

    package init(method: String, path: String, query: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    init(_ head: HTTPRequestHead) {
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? ""
        self.init(
            method: head.method.rawValue, path: path == "/" ? "" : path,
            query: parts.count > 1 ? String(parts[1]) : "",
            headers: head.headers.map { (name: $0.name.lowercased(), value: $0.value) })
    }

    /// The first value of a header, by its lower-case name.
    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// `__ow_headers`: one member per name, repeated headers joined with ", ".
    var headersObject: JSONValue {
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in headers {
            if let previous = values[name] {
                values[name] = previous + ", " + value
            } else {
                order.append(name)
                values[name] = value
            }
        }
        return .object(order.map { JSONMember(key: $0, value: .string(values[$0] ?? "")) })
    }
}
