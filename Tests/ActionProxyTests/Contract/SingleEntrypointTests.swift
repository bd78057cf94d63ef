import Foundation
import Testing

/// `/`, the single entrypoint of apache/openwhisk's "Action Proxy Single
/// Entrypoint Interface" (issue 17): the cases of its table and of the
/// Node.js runtime's Knative tests, in our words, on the plain contract.
@Suite("the single entrypoint /")
struct SingleEntrypointTests {
    static let launcher = try! Fixtures.text("launcher.py")

    static func initMember(code: String = launcher, name: String = "hello", raw: Bool? = nil) -> [String: Any] {
        var fields: [String: Any] = ["name": name, "main": "main", "code": code, "binary": false, "env": [:]]
        if let raw { fields["raw"] = raw }
        return fields
    }

    static var activation: [String: Any] {
        [
            "namespace": "default", "action_name": "hello", "api_host": "", "api_key": "", "activation_id": "0123abc",
            "transaction_id": "t-1", "deadline": "4102498800000",
        ]
    }

    @Test(
        "POST / with init initializes as /init does, with activation and value runs, and a second init is refused",
        arguments: Serving.contract)
    func initThenRun(_ target: Serving) throws {
        try target.serve { proxy throws in
            let initialized = try proxy.post("/", json: ["init": Self.initMember()])
            #expect(initialized.status == 200)
            #expect(initialized.object?["ok"] as? Bool == true, "\(initialized.text)")
            let run = try proxy.post(
                "/", json: ["activation": Self.activation, "value": ["name": "Ada", "place": "London"]])
            #expect(run.status == 200, "\(run.text)")
            #expect(run.object?["name"] as? String == "Ada")
            #expect(run.object?["place"] as? String == "London")
            #expect(run.headers["content-type"] == "application/json")
            let again = try proxy.post("/", json: ["init": Self.initMember()])
            #expect(again.status == 403)
            #expect(again.error == "Cannot initialize the action more than once.")
            // /run keeps working beside it.
            #expect(try proxy.run(["after": 1]).object?["after"] as? Int == 1)
            proxy.waitForSentinels(2)
        }
    }

    @Test(
        "POST / with init, activation and value initializes and runs in one request; without activation it only initializes",
        arguments: Serving.contract)
    func initAndRunInOne(_ target: Serving) throws {
        try target.serve { proxy throws in
            let both = try proxy.post(
                "/", json: ["init": Self.initMember(), "activation": Self.activation, "value": ["name": "Ada"]])
            #expect(both.status == 200, "\(both.text)")
            #expect(both.object?["name"] as? String == "Ada")
            #expect(proxy.activationLogs(1)[0].stdout.contains("\"name\": \"Ada\""))
        }
        try target.serve { proxy throws in
            let initOnly = try proxy.post("/", json: ["init": Self.initMember(), "value": ["name": "Ada"]])
            #expect(initOnly.status == 200)
            #expect(initOnly.object?["ok"] as? Bool == true, "\(initOnly.text)")
            #expect(proxy.sentinelCount(stderr: false) == 0)
        }
    }

    @Test(
        "a run through / before any init answers 500 no action defined yet; an init without code answers 403",
        arguments: Serving.contract)
    func noCode(_ target: Serving) throws {
        try target.serve { proxy throws in
            let run = try proxy.post("/", json: ["activation": Self.activation, "value": [:]])
            #expect(run.status == 500)
            #expect(run.error == "no action defined yet")
            let empty = try proxy.request("POST", "/")
            #expect(empty.status == 500)
            let noCode = try proxy.post("/", json: ["init": ["name": "x", "main": "main"]])
            #expect(noCode.status == 403)
            #expect(noCode.error == "Missing main/no code to execute.")
        }
    }

    @Test(
        "a run through / carries the activation as /run's fields and the request as __ow_method, __ow_headers, __ow_path, __ow_query, __ow_user",
        arguments: Serving.contract)
    func httpContext(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.post("/", json: ["init": Self.initMember()]).status == 200)
            let body = try JSONSerialization.data(withJSONObject: [
                "activation": Self.activation, "value": ["do": "echo", "__ow_method": "forged"],
            ])
            let echo = try proxy.client().request(
                "PUT", "/?name=Ada&x=1", body: body, headers: ["X-Custom": "yes", "Content-Type": "application/json"])
            #expect(echo.status == 200, "\(echo.text)")
            let value = try #require(echo.object)
            #expect(value["__ow_method"] as? String == "PUT")
            #expect(value["__ow_path"] as? String == "")
            #expect(value["__ow_query"] as? String == "name=Ada&x=1")
            #expect(value["__ow_user"] as? String == "default")
            let headers = try #require(value["__ow_headers"] as? [String: String])
            #expect(headers["x-custom"] == "yes")
            #expect(headers["content-type"] == "application/json")
            #expect(value["__ow_body"] == nil, "only raw web actions get the body")
            let environment = try proxy.post("/", json: ["activation": Self.activation, "value": ["do": "env"]])
            let variables = try #require(environment.object?["env"] as? [String: String])
            #expect(variables["__OW_ACTIVATION_ID"] == "0123abc")
            #expect(variables["__OW_TRANSACTION_ID"] == "t-1")
            #expect(variables["__OW_NAMESPACE"] == "default")
            #expect(variables["__OW_ACTION_NAME"] == "hello")
            #expect(variables["__OW_DEADLINE"] == "4102498800000")
            // No activation: the init's name stands in.
            let unnamed = try proxy.post("/", json: ["value": ["do": "env"]])
            #expect((unnamed.object?["env"] as? [String: String])?["__OW_ACTION_NAME"] == "hello")
        }
    }

    @Test(
        "a raw web action gets the parameters as __ow_body, base64 of their JSON, beside them",
        arguments: Serving.contract)
    func rawWebAction(_ target: Serving) throws {
        try target.serve { proxy throws in
            let answer = try proxy.post(
                "/",
                json: ["init": Self.initMember(raw: true), "activation": Self.activation, "value": ["name": "Joe"]])
            #expect(answer.status == 200, "\(answer.text)")
            // base64 of {"name":"Joe"}, as in upstream's fixture.
            #expect(answer.object?["__ow_body"] as? String == "eyJuYW1lIjoiSm9lIn0=")
            #expect(answer.object?["name"] as? String == "Joe")
            #expect(answer.object?["__ow_method"] as? String == "POST")
        }
    }

    @Test(
        "a result with statusCode, headers and body is the HTTP answer: a string body is text/html, a binary type's body is base64, an empty one is 204, CORS headers added",
        arguments: Serving.contract)
    func webAnswers(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.post("/", json: ["init": Self.initMember()]).status == 200)
            func answer(_ result: String, requestHeaders: [String: String] = [:]) throws -> HTTPTestResponse {
                let body = try JSONSerialization.data(withJSONObject: ["value": ["do": "raw", "text": result]])
                return try proxy.client().request("POST", "/", body: body, headers: requestHeaders)
            }
            let html = try answer(#"{"body":"<html><body><h3>hello Joe</h3></body></html>"}"#)
            #expect(html.status == 200)
            #expect(html.headers["content-type"] == "text/html")
            #expect(html.text == "<html><body><h3>hello Joe</h3></body></html>")
            #expect(html.headers["access-control-allow-origin"] == "*")
            #expect(html.headers["access-control-allow-methods"] == "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH")

            let created = try answer(
                #"{"statusCode":201,"headers":{"Location":"/things/7","X-Count":3,"Set-Cookie":["a=1","b=2"],"Access-Control-Allow-Origin":"https://example.com"},"body":{"id":7}}"#,
                requestHeaders: ["Access-Control-Request-Headers": "X-Token"])
            #expect(created.status == 201)
            #expect(created.headers["location"] == "/things/7")
            #expect(created.headers["x-count"] == "3")
            #expect(created.headers["content-type"] == "application/json")
            #expect(created.headers["access-control-allow-origin"] == "https://example.com")
            #expect(created.headers["access-control-allow-headers"] == "X-Token")
            #expect(created.object?["id"] as? Int == 7)

            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF])
            let image = try answer(
                #"{"headers":{"content-type":"image/png"},"body":"\#(png.base64EncodedString())"}"#)
            #expect(image.status == 200)
            #expect(image.headers["content-type"] == "image/png")
            #expect(image.body == png)

            let empty = try answer(#"{"statusCode":200,"headers":{"X-Empty":"yes"}}"#)
            #expect(empty.status == 204)
            #expect(empty.body.isEmpty)
            #expect(empty.headers["x-empty"] == "yes")

            let stringStatus = try answer(#"{"statusCode":"404","body":"not here"}"#)
            #expect(stringStatus.status == 404)
            #expect(stringStatus.text == "not here")

            // Any other result is the JSON answer.
            let plain = try answer(#"{"payload":"Hello World!"}"#)
            #expect(plain.status == 200)
            #expect(plain.object?["payload"] as? String == "Hello World!")
            #expect(plain.headers["access-control-allow-origin"] == "*")
            proxy.waitForSentinels(6)
        }
    }

    @Test(
        "a web answer that cannot be sent answers 502 saying why, and the proxy serves on",
        arguments: Serving.contract,
        [
            (#"{"statusCode":42}"#, "its statusCode 42 is not an HTTP status from 200 to 599."),
            (#"{"statusCode":"teapot"}"#, #"its statusCode "teapot" is not an HTTP status from 200 to 599."#),
            (#"{"headers":{"X-A":"1\r\nX-Injected: yes"}}"#, "its header X-A holds a line break."),
            (#"{"headers":{"Bad Name":"1"}}"#, #"its header name "Bad Name" is not valid."#),
            (#"{"headers":{"X-A":{"nested":1}}}"#, "its header X-A must be a string, number or boolean."),
            (#"{"headers":[1]}"#, "its headers must be an object."),
            (
                #"{"headers":{"Content-Type":"application/pdf"},"body":"not base64!"}"#,
                "its Content-Type application/pdf is binary, so its body must be base64"
            ),
        ])
    func invalidWebAnswers(_ target: Serving, _ example: (result: String, reason: String)) throws {
        let (result, reason) = example
        try target.serve { proxy throws in
            #expect(try proxy.post("/", json: ["init": Self.initMember()]).status == 200)
            let answer = try proxy.post("/", json: ["value": ["do": "raw", "text": result]])
            #expect(answer.status == 502)
            #expect(answer.headers["x-injected"] == nil)
            #expect(
                answer.error?.hasPrefix("The action's web answer cannot be sent: " + reason) == true, "\(answer.text)")
            #expect(try proxy.post("/", json: ["value": ["after": true]]).object?["after"] as? Bool == true)
        }
    }

    @Test(
        "a body for / that is not a JSON object, or whose init, activation or value is not an object, answers 400",
        arguments: Serving.contract,
        [
            ("[1]", "The body of a request to / must be a JSON object with \"init\", \"activation\" or \"value\"."),
            ("{", "The body of a request to / is not valid JSON"),
            (#"{"init":5}"#, "The \"init\" of a request to / must be an object."),
            (#"{"activation":"x","value":{}}"#, "The \"activation\" of a request to / must be an object."),
            (#"{"value":[1]}"#, "The \"value\" of a request to / must be an object."),
            (#"{"init":{"code":5}}"#, "The init field \"code\" must be a string."),
        ])
    func badBodies(_ target: Serving, _ example: (body: String, error: String)) throws {
        let (body, error) = example
        try target.serve { proxy throws in
            let answer = try proxy.request("POST", "/", body: Data(body.utf8))
            #expect(answer.status == 400)
            #expect(answer.error?.hasPrefix(error) == true, "\(answer.text)")
            #expect(try proxy.request("GET", "/health").status == 200)
        }
    }

    @Test("__OW_HTTP_METHODS limits the methods / answers; others get 405 naming them", arguments: Serving.contract)
    func methods(_ target: Serving) throws {
        try target.serve(environment: ["__OW_HTTP_METHODS": "[get,post]"]) { proxy throws in
            #expect(try proxy.post("/", json: ["init": Self.initMember()]).status == 200)
            #expect(try proxy.request("GET", "/").status == 200)
            let refused = try proxy.request("DELETE", "/")
            #expect(refused.status == 405)
            #expect(refused.error == "Method DELETE is not allowed on /; use GET, POST.")
        }
    }
}
