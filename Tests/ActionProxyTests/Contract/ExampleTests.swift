import Foundation
import Testing

@Suite("The README's example")
struct ExampleTests {
    static let example = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/hello")

    @Test("Examples/hello/init.json carries Examples/hello/exec as it is")
    func initBodyInSync() throws {
        let body = try Data(contentsOf: Self.example.appendingPathComponent("init.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let code = (json["value"] as? [String: Any])?["code"] as? String
        #expect(code == (try String(contentsOf: Self.example.appendingPathComponent("exec"), encoding: .utf8)))
    }

    @Test("the example greets through the proxy as the README shows", arguments: Serving.contract)
    func greets(_ target: Serving) throws {
        try target.serve { proxy throws in
            let body = try Data(contentsOf: Self.example.appendingPathComponent("init.json"))
            #expect(try proxy.request("POST", "/init", body: body).status == 200)
            let response = try proxy.run(["name": "Ada"])
            #expect(response.text == "{\"greeting\":\"Hello, Ada!\"}\n")
        }
    }
}
