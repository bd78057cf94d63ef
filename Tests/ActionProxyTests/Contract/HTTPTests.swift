import Foundation
import Testing

@Suite("HTTP")
struct HTTPTests {
    @Test("an unknown path answers 404 with a JSON error", arguments: Serving.contract)
    func unknownPath(_ target: Serving) throws {
        try target.serve { proxy throws in
            for path in ["/nope", "//", "/init/extra", "/runs", "/INIT"] {
                let response = try proxy.request("POST", path, body: Data("{}".utf8))
                #expect(response.status == 404, "\(path)")
                #expect(response.error?.isEmpty == false)
                #expect(response.headers["content-type"] == "application/json")
            }
        }
    }

    @Test("a wrong method answers 405 with a JSON error", arguments: Serving.contract)
    func wrongMethod(_ target: Serving) throws {
        try target.serve { proxy throws in
            for (method, path) in [
                ("GET", "/init"), ("GET", "/run"), ("PUT", "/run"), ("DELETE", "/init"), ("POST", "/health"),
            ] {
                let response = try proxy.request(method, path)
                #expect(response.status == 405, "\(method) \(path)")
                #expect(response.error?.contains(method) == true)
            }
        }
    }

    @Test(
        "health answers 200 while the proxy waits for /init or is ready, and tells which",
        arguments: Serving.contract)
    func health(_ target: Serving) throws {
        try target.serve { proxy throws in
            let before = try proxy.request("GET", "/health")
            #expect(before.status == 200)
            #expect((before.json as? [String: Any])?["ready"] as? Bool == false)
            #expect((before.json as? [String: Any])?["status"] as? String == "waiting for /init", "\(before.text)")
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            let after = try proxy.request("GET", "/health")
            #expect(after.status == 200)
            #expect((after.json as? [String: Any])?["ready"] as? Bool == true)
            #expect((after.json as? [String: Any])?["status"] as? String == "ready", "\(after.text)")
        }
    }

    @Test("one keep-alive connection carries many requests, each with a Content-Length", arguments: Serving.contract)
    func keepAlive(_ target: Serving) throws {
        try target.serve { proxy throws in
            let client = try proxy.client()
            let script = try Fixtures.text("echo.sh")
            let body = try JSONSerialization.data(withJSONObject: ["value": ["code": script]])
            #expect(try client.request("POST", "/init", body: body).status == 200)
            for index in 0..<20 {
                let response = try client.request("POST", "/run", body: Data("{\"value\":{\"i\":\(index)}}".utf8))
                #expect(response.status == 200)
                #expect(response.headers["content-length"] == "\(response.body.count)")
            }
            #expect(try client.request("GET", "/nowhere").status == 404)
            #expect(try client.request("POST", "/run", body: Data("{\"value\":{}}".utf8)).status == 200)
        }
    }

    @Test(
        "pipelined requests on one connection are answered in order, each by its own answer",
        arguments: Serving.contract)
    func pipelining(_ target: Serving) throws {
        try target.serve { proxy throws in
            let client = try proxy.client()
            let script = try Fixtures.text("echo.sh")
            let body = try JSONSerialization.data(withJSONObject: ["value": ["code": script]])
            #expect(try client.request("POST", "/init", body: body).status == 200)
            var requests = Data()
            for index in 0..<5 {
                let run = Data("{\"value\":{\"i\":\(index)}}".utf8)
                requests.append(Data("POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: \(run.count)\r\n\r\n".utf8))
                requests.append(run)
            }
            requests.append(Data("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            try client.sendRaw(requests)
            for index in 0..<5 {
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text.contains("\"i\":\(index)"), "\(response.text)")
            }
            #expect(try client.readResponse(method: "GET").text.contains("\"ready\":true"))
        }
    }

    @Test("a body over the limit answers 413 without being read", arguments: Serving.contract)
    func bodyTooLarge(_ target: Serving) throws {
        try target.serve(environment: ["OW_MAX_BODY_BYTES": "1000"]) { proxy throws in
            let client = try proxy.client()
            try client.sendRaw(Data("POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n".utf8))
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.error?.contains("1000") == true)
            let chunked = try proxy.request("POST", "/init", body: Data(repeating: 0x41, count: 5000))
            #expect(chunked.status == 413)
            #expect(proxy.isRunning)
        }
    }

    @Test("Expect: 100-continue gets its interim answer, then the real one", arguments: Serving.contract)
    func expectContinue(_ target: Serving) throws {
        try target.serve { proxy throws in
            let client = try proxy.client()
            let body = try JSONSerialization.data(withJSONObject: ["value": ["code": try Fixtures.text("echo.sh")]])
            try client.send("POST", "/init", headers: ["Expect": "100-continue", "Content-Length": "\(body.count)"])
            let interim = try client.readInterim()
            #expect(interim == 100)
            try client.sendRaw(body)
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test("a malformed request gets a JSON 400 and the proxy stays up", arguments: Serving.contract)
    func malformedRequest(_ target: Serving) throws {
        try target.serve { proxy throws in
            let client = try proxy.client()
            try client.sendRaw(Data("THIS IS NOT HTTP\r\n\r\n".utf8))
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.error?.isEmpty == false)
            #expect(try proxy.request("GET", "/health").status == 200)
        }
    }

    @Test(
        "SIGTERM (docker stop in a container, where the proxy is the first process) stops the proxy and its action at once, exit status 0",
        arguments: Serving.contract)
    func sigterm(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(
                try proxy.initialize(code: "#!/bin/sh\nwhile read -r l; do echo '{}' >&3; done\n").status == 200)
            let started = Date()
            #expect(proxy.terminateAndWait() == 0)
            // Well before docker's 10 s grace period: the signal was handled, not ignored.
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }
}
