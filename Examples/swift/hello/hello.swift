func main(args: [String: Any]) -> [String: Any] {
    let name = args["name"] as? String ?? "stranger"
    print("greeting \(name)")
    return ["greeting": "Hello, \(name)!"]
}
