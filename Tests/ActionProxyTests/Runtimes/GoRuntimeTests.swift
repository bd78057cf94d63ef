import Foundation
import Testing

/// The Go runtime (issue 18): `Runtimes/go/compile` and its precompiled
/// launcher in `actionproxy/go`, the same behaviours as the other
/// languages' suites, and its `-compile` binary on `actionproxy/native`.
@Suite("Go runtime")
struct GoRuntimeTests {
    static let hello = #"""
        package main

        func Main(obj map[string]interface{}) map[string]interface{} {
        	name, ok := obj["name"].(string)
        	if !ok {
        		name = "stranger"
        	}
        	return map[string]interface{}{"greeting": "Hello, " + name + "!"}
        }
        """#

    @Test("hello: a source with func Main greets by name", arguments: Serving.go)
    func hello(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.hello).status == 200)
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
            #expect(try proxy.run([:]).text == "{\"greeting\":\"Hello, stranger!\"}\n")
        }
    }

    @Test("the init's main names the entry point, its first letter capitalised (hello calls Hello)", arguments: Serving.go)
    func renamedEntryPoint(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                package main

                func Main(obj map[string]interface{}) map[string]interface{} {
                	return map[string]interface{}{"called": "Main"}
                }

                func Hello(obj map[string]interface{}) map[string]interface{} {
                	return map[string]interface{}{"called": "Hello"}
                }
                """#
            #expect(try proxy.initialize(code: code, main: "hello").status == 200)
            #expect(try proxy.run([:]).text == "{\"called\":\"Hello\"}\n")
        }
    }

    @Test(
        "a zip of a module with a package of its own, a replace to a folder of the zip and a vendor/ folder",
        arguments: Serving.go)
    func moduleZip(_ serving: Serving) throws {
        let zip = try zipOf([
            "go.mod": "module example.com/action\n\ngo 1.22\n\nrequire example.com/words v0.0.0\n\nreplace example.com/words => ./words\n",
            "main.go": #"""
                package main

                import (
                	"example.com/action/shapes"
                	"example.com/words"
                )

                func Main(obj map[string]interface{}) map[string]interface{} {
                	side, _ := obj["side"].(float64)
                	return map[string]interface{}{"area": shapes.Square(side), "shout": words.Shout("snow")}
                }
                """#,
            "shapes/area.go": "package shapes\n\nfunc Square(side float64) float64 { return side * side }\n",
            "words/go.mod": "module example.com/words\n\ngo 1.22\n",
            "words/words.go": "package words\n\nimport \"strings\"\n\nfunc Shout(w string) string { return strings.ToUpper(w) + \"!\" }\n",
        ])
        let vendored = try zipOf([
            "go.mod": "module example.com/action\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n",
            "main.go": #"""
                package main

                import "example.com/greet"

                func Main(obj map[string]interface{}) map[string]interface{} {
                	return map[string]interface{}{"greeting": greet.Hello("Ada")}
                }
                """#,
            "vendor/modules.txt": "# example.com/greet v1.0.0\n## explicit\nexample.com/greet\n",
            "vendor/example.com/greet/greet.go":
                "package greet\n\nfunc Hello(name string) string { return \"Hello from vendor, \" + name }\n",
        ])
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 200, "\(response.text)")
            #expect(try proxy.run(["side": 3]).text == "{\"area\":9,\"shout\":\"SNOW!\"}\n")
        }
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: vendored.base64EncodedString(), binary: true)
            #expect(response.status == 200, "\(response.text)")
            #expect(try proxy.run([:]).text == "{\"greeting\":\"Hello from vendor, Ada\"}\n")
        }
    }

    @Test("the init env and every activation field are in the environment during a run", arguments: Serving.go)
    func environment(_ serving: Serving) throws {
        let code = #"""
            package main

            import "os"

            func Main(obj map[string]interface{}) map[string]interface{} {
            	return map[string]interface{}{
            		"greeting": os.Getenv("GREETING"), "id": os.Getenv("__OW_ACTIVATION_ID"),
            		"deadline": os.Getenv("__OW_DEADLINE"), "namespace": os.Getenv("__OW_NAMESPACE"),
            	}
            }
            """#
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code, env: ["GREETING": "hej"]).status == 200)
            let response = try proxy.run(
                [:], fields: ["activation_id": "a1b2", "deadline": 1_700_000_000_000, "namespace": "guest"])
            let json = try #require(response.json as? [String: String], "\(response.text)")
            #expect(json == ["greeting": "hej", "id": "a1b2", "deadline": "1700000000000", "namespace": "guest"])
        }
    }

    @Test("unicode round trips in values and logs, and a 1 MB value round-trips", arguments: Serving.go)
    func unicodeAndLargeValue(_ serving: Serving) throws {
        let code = #"""
            package main

            import "fmt"

            func Main(obj map[string]interface{}) map[string]interface{} {
            	fmt.Println("log:", obj["text"])
            	return obj
            }
            """#
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run(["text": "Grüße ❄ 雪 🎉"])
            #expect(response.json as? [String: String] == ["text": "Grüße ❄ 雪 🎉"])
            let large = String(repeating: "x", count: 1 << 20)
            let echoed = try proxy.run(["text": large])
            #expect((echoed.json as? [String: String])?["text"]?.count == 1 << 20)
            let logs = proxy.activationLogs(2)
            #expect(logs.first?.stdout == "log: Grüße ❄ 雪 🎉\n")
        }
    }

    @Test(
        "each activation's logs come before its sentinel, one sentinel per stream per activation",
        arguments: Serving.go)
    func logsAndSentinels(_ serving: Serving) throws {
        let code = #"""
            package main

            import (
            	"fmt"
            	"os"
            )

            func Main(obj map[string]interface{}) map[string]interface{} {
            	fmt.Printf("stdout of activation %v\n", obj["n"])
            	fmt.Fprintf(os.Stderr, "stderr of activation %v\n", obj["n"])
            	return obj
            }
            """#
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            for index in 1...3 { #expect(try proxy.run(["n": index]).status == 200) }
            for (index, log) in proxy.activationLogs(3).enumerated() {
                #expect(log.stdout == "stdout of activation \(index + 1)\n")
                #expect(log.stderr == "stderr of activation \(index + 1)\n")
            }
        }
    }

    @Test(
        "a returned error is an error result (200), a panic answers 502 with its stack on stderr, and the next run succeeds",
        arguments: Serving.go)
    func errorsAndPanics(_ serving: Serving) throws {
        let code = #"""
            package main

            import "errors"

            func Main(obj map[string]interface{}) (map[string]interface{}, error) {
            	switch obj["do"] {
            	case "error":
            		return nil, errors.New("the input was refused")
            	case "panic":
            		var names []string
            		_ = names[3]
            	}
            	return map[string]interface{}{"ok": true}, nil
            }
            """#
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let failed = try proxy.run(["do": "error"])
            #expect(failed.status == 200)
            #expect(failed.text == "{\"error\":\"the input was refused\"}\n")
            let panicked = try proxy.run(["do": "panic"])
            #expect(panicked.status == 502)
            #expect(panicked.error?.contains("the action panicked: runtime error: index out of range") == true)
            #expect(try proxy.run([:]).text == "{\"ok\":true}\n")
            proxy.waitForSentinels(3)
            #expect(proxy.stderr.contains("main.go:"), "\(proxy.stderr)")
        }
    }

    @Test("a result that is not an object or array answers 502; a slice answers 200", arguments: Serving.go)
    func results(_ serving: Serving) throws {
        let code = #"""
            package main

            func Main(obj interface{}) interface{} {
            	if obj.(map[string]interface{})["list"] == true {
            		return []interface{}{1, "two"}
            	}
            	return 42
            }
            """#
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            #expect(try proxy.run(["list": true]).text == "[1,\"two\"]\n")
            let scalar = try proxy.run([:])
            #expect(scalar.status == 502)
            #expect(scalar.error == "The action did not return a dictionary or array.")
        }
    }

    @Test("a compile error fails init with 502 and the user's file and line", arguments: Serving.go)
    func compileError(_ serving: Serving) throws {
        let code = "package main\n\nfunc Main(obj map[string]interface{}) map[string]interface{} {\n\treturn undefinedThing\n}\n"
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: code)
            #expect(response.status == 502)
            #expect(response.error?.contains("main.go:4:9: undefined: undefinedThing") == true, "\(response.text)")
        }
    }

    @Test("a module that needs the module proxy fails init with go's message and what to do", arguments: Serving.go)
    func networkModule(_ serving: Serving) throws {
        let zip = try zipOf([
            "go.mod": "module example.com/action\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
            "main.go": #"""
                package main

                import "github.com/google/uuid"

                func Main(obj map[string]interface{}) map[string]interface{} {
                	return map[string]interface{}{"id": uuid.NewString()}
                }
                """#,
        ])
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 502)
            #expect(response.error?.contains("GOPROXY=off") == true, "\(response.text)")
        }
    }

    @Test(
        "a zip from actionproxy/go -compile is one static exec that runs on actionproxy/native",
        .enabled(if: TestImage.enabled(.go, .native)))
    func prebuiltOnNative() throws {
        let outcome = try Serving.image(.go).runOnce(["-compile", "main"], input: Data(Self.hello.utf8))
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.stdout.count < 4 << 20, "\(outcome.stdout.count) bytes")
        try Serving.image(.native).serve { proxy throws in
            let response = try proxy.initialize(code: outcome.stdout.base64EncodedString(), binary: true)
            #expect(response.status == 200, "\(response.text)")
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
            #expect(try proxy.run(["name": "Bo"]).text == "{\"greeting\":\"Hello, Bo!\"}\n")
        }
    }
}
