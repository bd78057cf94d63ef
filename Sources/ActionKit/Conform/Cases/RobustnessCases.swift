import Foundation

/// The reference proxy's known defects (README: how it differs from the
/// reference): a conforming implementation keeps the wire contract and does
/// not have them.
enum RobustnessCases {
    static let action = LineAction.action

    static let all: [ConformanceCase] = [
        archiveEscape(
            "robust.zip-parent", "a zip entry named ../… is not written outside the action folder",
            entry: "../conform-escaped", landsAt: "$(dirname \"$0\")/../conform-escaped"),
        archiveEscape(
            "robust.zip-absolute", "a zip entry with an absolute name is not written at that path",
            entry: "/tmp/conform-escaped-\(ActivationFields.newID())", landsAt: nil),
        archiveEscape(
            "robust.zip-symlink", "a zip symlink that leads outside the folder is not written through",
            entry: "outside/conform-escaped", link: ("outside", ".."),
            landsAt: "$(dirname \"$0\")/../conform-escaped"),
        ConformanceCase(
            "robust.zip-corrupt", "a corrupt zip is refused with a JSON error, and the proxy serves on",
            group: .robustness, runtimes: .lineProtocol, need: .fresh()
        ) { context in
            let corrupt = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0xA5, count: 64)
            let response = try context.initialize(TestAction("a corrupt zip", archive: corrupt))
            try context.expectRefusal(response, "the init of a corrupt zip")
            context.note("refused with \(response.status)")
            try context.expectInitialized(action)
            try context.expectStatus(try context.run(["after": true]), 200, "a run after the corrupt zip")
        },
        ConformanceCase(
            "robust.concurrent-runs",
            "a run sent while another is in progress never gets the other's answer (the action answers the first late)",
            group: .robustness, runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectInitialized(action)
            let first = try context.connect(timeout: 10)
            let body = try JSONSerialization.data(withJSONObject: ["value": LineAction.value(.lateAnswer)])
            do { try first.send("POST", "/run", body: body) } catch {
                throw CaseFailure("cannot send the first run: \(error)")
            }
            usleep(300_000)
            // Both answers are gathered before judging, so that the failure
            // can say where each one went.
            let second = Result { try context.run(["token": "second"], timeout: 10) }
            let firstAnswer = Result { () throws -> HTTPResponse in
                do { return try first.readResponse() } catch { throw CaseFailure("no answer: \(error)") }
            }
            let firstText = (try? firstAnswer.get()).map(describe) ?? "no answer"
            let secondText = (try? second.get()).map(describe) ?? "no answer"
            let both = "the first run got \(firstText), the second \(secondText)"
            guard case .success(let firstResponse) = firstAnswer, case .success(let secondResponse) = second else {
                throw CaseFailure(both)
            }
            try context.expect(
                firstResponse.status == 200 && firstResponse.object?["late"] as? Bool == true, both)
            if secondResponse.status == 200 {
                let line = secondResponse.object?["value"] as? [String: Any]
                try context.expect(line?["token"] as? String == "second", both)
                context.note("served both")
            } else {
                try context.expect(isRefusal(secondResponse), both)
                context.note("refused the second with \(secondResponse.status)")
            }
        },
        ConformanceCase(
            "robust.stray-line", "a second line the action writes on fd 3 does not become the next run's answer",
            group: .robustness, runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectInitialized(action)
            try context.expectResult(
                try context.run(LineAction.value(.twice)), ["first": true], "the run that answers twice")
            usleep(500_000)
            let next = try context.run(["token": "next"])
            let line = try context.expectObject(next, "the next run")
            try context.expect(
                (line["value"] as? [String: Any])?["token"] as? String == "next",
                "the next run got \(CaseContext.show(next)), not its own answer")
        },
        ConformanceCase(
            "robust.disconnect",
            "a run whose client hung up does not hand its answer to the next run",
            group: .robustness, runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectInitialized(action)
            do {
                let gone = try context.connect()
                let body = try JSONSerialization.data(withJSONObject: ["value": LineAction.value(.sleep)])
                do { try gone.send("POST", "/run", body: body) } catch { throw CaseFailure("cannot send: \(error)") }
                usleep(100_000)
            }
            let what = "the run after the hang-up"
            var next = try context.run(["token": "next"], timeout: 10, what: what)
            if isRefusal(next) {
                context.note("refused at first with \(next.status)")
                usleep(1_500_000)
                next = try context.run(["token": "next"], timeout: 10, what: what)
            }
            try context.expect(
                next.status == 200 && (next.object?["value"] as? [String: Any])?["token"] as? String == "next",
                "the run after the hang-up got \(CaseContext.show(next)), not its own answer")
        },
        ConformanceCase(
            "robust.deadline", "an action that never answers is answered at the run's deadline, and the next run works",
            group: .robustness, runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectInitialized(action)
            var fields = ActivationFields(actionName: "conform").members
            fields["deadline"] = String(Int64(Date().timeIntervalSince1970 * 1000) + 1000)
            let started = Date()
            let response: HTTPResponse
            do {
                response = try context.run(LineAction.value(.hang), fields: fields, timeout: 6)
            } catch {
                throw CaseFailure("no answer 5 s after the deadline: the run hangs")
            }
            try context.expectRefusal(response, "the run past its deadline")
            context.note(
                "answered \(response.status) after \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            let retryUntil = Date().addingTimeInterval(10)
            var next = try context.run(["token": "next"], timeout: 10)
            while next.status != 200 && Date() < retryUntil {
                usleep(200_000)
                next = try context.run(["token": "next"], timeout: 10)
            }
            let line = try context.expectObject(next, "the run after the missed deadline")
            try context.expect(
                (line["value"] as? [String: Any])?["token"] as? String == "next",
                "the run after the missed deadline got \(CaseContext.show(next))")
        },
        ConformanceCase(
            "robust.dead-action", "every run after the action died answers at once, not only the first",
            group: .robustness, runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectInitialized(action)
            try context.expectStatus(try context.run(LineAction.value(.answerThenExit)), 200, "the last answer")
            usleep(700_000)
            for attempt in 1...3 {
                let response: HTTPResponse
                do {
                    response = try context.run(["attempt": attempt], timeout: 5)
                } catch {
                    throw CaseFailure("run \(attempt) after the action died got no answer within 5 s: it hangs")
                }
                try context.expectRefusal(response, "run \(attempt) after the action died")
            }
        },
        ConformanceCase(
            "robust.unknown-path", "unknown paths answer 404 (or another 4xx) with a JSON error, not 200",
            group: .robustness, runtimes: .all, need: .uninitialised
        ) { context in
            for (method, path) in [("GET", "/conform-unknown"), ("POST", "/conform-unknown"), ("GET", "/conform/deeper")] {
                let response = try context.request(method, path, body: method == "POST" ? Data("{}".utf8) : nil)
                try context.expect(
                    (400..<500).contains(response.status) && response.error?.isEmpty == false,
                    "\(method) \(path): expected 404 with a JSON error, got \(CaseContext.show(response))")
            }
        },
        ConformanceCase(
            "robust.env-equals", "a proxy __OW_* value with = in it reaches the action whole",
            group: .robustness, runtimes: .lineProtocol, need: .fresh(environment: ["__OW_CONFORM_EQUALS": "a=b=c"])
        ) { context in
            try context.expectInitialized(action)
            let seen = try LineAction.environment(try context.run(LineAction.value(.environment)), context)
            try context.expect(
                seen["__OW_CONFORM_EQUALS"] == "a=b=c",
                "__OW_CONFORM_EQUALS: expected a=b=c, the action saw \(seen["__OW_CONFORM_EQUALS"] ?? "nothing")")
        },
        ConformanceCase(
            "robust.path", "the action gets a PATH (#!/usr/bin/env lines need one)",
            group: .robustness, runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectInitialized(action)
            let seen = try LineAction.environment(try context.run(LineAction.value(.environment)), context)
            guard let path = seen["PATH"] else { throw CaseFailure("the action's environment has no PATH") }
            try context.expect(
                path.split(separator: ":").contains { $0 == "/usr/bin" || $0 == "/bin" },
                "the action's PATH has neither /usr/bin nor /bin: \(path)")
        },
        ConformanceCase(
            "robust.null-result", "a null result answers 502 \(RunCases.notObject), not 200 null",
            group: .robustness, runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            try context.expectError(
                try context.run(LineAction.value(.null)), 502, RunCases.notObject, "a null result")
        },
    ]

    /// An answer of the concurrent-runs case, named by whose it is.
    private static func describe(_ response: HTTPResponse) -> String {
        if response.status == 200, (response.object?["value"] as? [String: Any])?["token"] as? String == "second" {
            return "the second run's answer"
        }
        if response.status == 200, response.object?["late"] as? Bool == true { return "the first run's answer" }
        return CaseContext.show(response)
    }

    /// A request turned away with an error of its own (e.g. 409 while
    /// another activation runs), as opposed to a result that was not its
    /// own: a 502 "did not return a dictionary" means the proxy took some
    /// line from the action as this request's answer.
    static func isRefusal(_ response: HTTPResponse) -> Bool {
        (400..<600).contains(response.status) && response.error != nil && response.error != RunCases.notObject
    }

    /// A zip with an executable `exec` and one entry that tries to leave the
    /// extraction folder. The proxy may refuse the zip; if it accepts it,
    /// `exec` reports whether the entry landed outside (at `landsAt`, a
    /// shell word relative to the action, or the entry's own absolute name).
    static func archiveEscape(
        _ id: String, _ description: String, entry: String, link: (name: String, target: String)? = nil,
        landsAt: String?
    ) -> ConformanceCase {
        ConformanceCase(id, description, group: .robustness, runtimes: .lineProtocol, need: .fresh()) { context in
            let place = landsAt ?? entry
            let exec = """
                #!/bin/sh
                if [ -n "$__OW_WAIT_FOR_ACK" ]; then echo '{"ok":true}' >&3; fi
                while IFS= read -r line; do
                  if [ -e "\(place)" ]; then
                    rm -f "\(place)"
                    echo '{"escaped":true}' >&3
                  else
                    echo '{"escaped":false}' >&3
                  fi
                done
                """
            var archive = TestArchive()
            archive.file("exec", exec, executable: true)
            if let link { archive.link(link.name, to: link.target) }
            archive.file(entry, "written outside the action folder by actionkit conform\n")
            let response = try context.initialize(TestAction("a zip with the entry \(entry)", archive: archive.bytes))
            if response.status != 200 {
                try context.expectRefusal(response, "the init of a zip with the entry \(entry)")
                context.note("refused with \(response.status)")
                return
            }
            let report = try context.expectObject(try context.run([:]), "the run that looks for the escaped entry")
            try context.expect(
                report["escaped"] as? Bool == false,
                "the init accepted the zip and wrote its entry \(entry) outside the action folder")
            context.note("accepted the zip without writing the entry outside")
        }
    }
}
