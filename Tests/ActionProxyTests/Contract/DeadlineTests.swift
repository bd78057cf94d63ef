import Foundation
import NIOCore
import Testing

@testable import ActionProxy

@Suite("Deadlines")
struct DeadlineTests {
    static func inMilliseconds(_ milliseconds: Int) -> Int {
        Int(Date().timeIntervalSince1970 * 1000) + milliseconds
    }

    @Test(
        "a run whose deadline passes answers 504 with its sentinels, and the action is started again",
        arguments: Serving.contract)
    func missedDeadline(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let started = Date()
            let late = try proxy.run(
                ["do": "sleep", "seconds": 30], fields: ["deadline": "\(Self.inMilliseconds(400))"])
            #expect(late.status == 504)
            #expect(late.error?.contains("deadline") == true)
            #expect(Date().timeIntervalSince(started) < 5)
            proxy.waitForSentinels(1)
            #expect(proxy.sentinelCount(stderr: false) == 1)
            #expect(proxy.sentinelCount(stderr: true) == 1)
            // The restarted action serves the next activation; during the restart runs get 503.
            var next = try proxy.run(["after": "restart"])
            for _ in 0..<100 where next.status == 503 {
                usleep(20_000)
                next = try proxy.run(["after": "restart"])
            }
            #expect(next.status == 200)
            #expect(next.json as? [String: String] == ["after": "restart"])
        }
    }

    @Test("a deadline sent as a number is enforced too", arguments: Serving.contract)
    func numericDeadline(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let late = try proxy.run(["do": "sleep", "seconds": 30], fields: ["deadline": Self.inMilliseconds(300)])
            #expect(late.status == 504)
        }
    }

    @Test("a deadline already past when the run arrives is a placeholder, not enforced", arguments: Serving.contract)
    func placeholderDeadline(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let response = try proxy.run(["do": "sleep", "seconds": 0.2], fields: ["deadline": "123"])
            #expect(response.status == 200)
        }
    }

    @Test(
        "the run body's deadline is read from the top level only",
        arguments: [
            ("{\"value\":{},\"deadline\":\"1700000000000\"}", Int64(1_700_000_000_000)),
            ("{\"deadline\":1700000000001,\"value\":{}}", Int64(1_700_000_000_001)),
            ("{\"deadline\":1.7e12}", Int64(1_700_000_000_000)),
            ("{\"value\":{\"deadline\":\"5\"}}", nil),
            ("{\"value\":[{\"deadline\":5}],\"x\":\"deadline\"}", nil),
            ("{\"deadline\":\"soon\"}", nil),
            ("{\"deadline\":5,\"deadline\":6}", Int64(6)),
            ("{ \"deadline\" : \"7\" }", Int64(7)),
            ("{\"deadlines\":8}", nil),
            ("{}", nil),
        ] as [(String, Int64?)])
    func topLevelDeadline(body: String, expected: Int64?) throws {
        let inspection = try #require(RunRequest.inspect(ByteBuffer(string: body)))
        #expect(inspection.deadline == expected)
    }

    @Test(
        "a run body that is not one JSON object is refused by the inspection",
        arguments: [
            "", "[]", "{\"deadline\":5", "{\"deadline\":5}x", "\"deadline\"",
        ])
    func notAnObject(body: String) {
        #expect(RunRequest.inspect(ByteBuffer(string: body)) == nil)
    }
}
