import Foundation

/// The action that soak and load run: it answers each activation's value
/// exactly as it came, so that the kit can tell whose answer it got, and
/// fails, crashes or sleeps when the value asks it to.
///
/// The kit writes each request as
/// `{"activation_id":…,"deadline":"…","value":{"nonce":"N","fault":"F","sleep_ms":S,"pad":"…"}}`:
/// `value` last and its members in that order, so an action can find them
/// near the start of a line of up to a megabyte, and no pad can fake them
/// (its quotes are escaped). Every activation logs `soak N` on stdout
/// (before any sleep, so that a killed activation has logged too), and
/// `soak failing N` on stderr for an application error. Faults:
/// `error` answers `{"error":"requested failure","nonce":"N"}`, `result`
/// answers a JSON string (the proxy's 502), `crash` exits without an answer.
/// Otherwise the answer is the value's JSON, byte for byte (the value is
/// written in canonical form, as Python's and Node's serialisers write it).
public enum EchoAction {
    public enum Language: String, Sendable, CaseIterable, CustomStringConvertible {
        /// A small C program, compiled here with `cc`: fast enough for 100,000 activations.
        case native
        case python
        case nodejs

        public var description: String { rawValue }

        /// The host runtime that serves it.
        public var runtime: RuntimeKind {
            switch self {
            case .native: .native
            case .python: .python
            case .nodejs: .nodejs
            }
        }
    }

    /// The action's code as `/init` takes it.
    public static func code(_ language: Language) throws(EchoActionError) -> ActionCode {
        switch language {
        case .native: try compiledC()
        case .python: ActionCode(code: pythonSource, binary: false)
        case .nodejs: ActionCode(code: nodeSource, binary: false)
        }
    }

    /// Builds the C echo with `cc` into a static executable (so that it runs
    /// in any Linux image as well as here), falling back to a dynamic one.
    static func compiledC() throws(EchoActionError) -> ActionCode {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("actionkit-echo-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("echo.c")
        let binary = folder.appendingPathComponent("exec")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(cSource.utf8).write(to: source)
        } catch {
            throw .compile("cannot write the C source: \(error)")
        }
        var messages = ""
        for flags in [["-O2", "-static"], ["-O2"]] {
            let compiler =
                [ProcessInfo.processInfo.environment["CC"] ?? "cc"] + flags + ["-o", binary.path, source.path]
            let outcome: ProcessRunner.Outcome
            do {
                outcome = try ProcessRunner.run("/usr/bin/env", compiler)
            } catch {
                throw .compile("cannot run cc: \(error)")
            }
            if outcome.status == 0, let data = try? Data(contentsOf: binary) {
                return ActionCode(code: data.base64EncodedString(), binary: true)
            }
            messages += outcome.output + outcome.errors
        }
        throw .compile("cc could not build the native echo action (use --action python): \(messages)")
    }

    static let cSource = #"""
        /* actionkit's echo action: one JSON line in on stdin, one line out on fd 3. */
        #include <errno.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <time.h>
        #include <unistd.h>

        static void put(int fd, const char *text, size_t length) {
            while (length > 0) {
                ssize_t written = write(fd, text, length);
                if (written < 0) {
                    if (errno == EINTR) continue;
                    _exit(2);
                }
                text += written;
                length -= (size_t)written;
            }
        }

        static void put_text(int fd, const char *text) { put(fd, text, strlen(text)); }

        /* The string after `key` (which ends with the opening quote), up to its closing quote. */
        static void member(const char *line, const char *key, char *out, size_t size) {
            const char *at = strstr(line, key);
            size_t n = 0;
            if (at != NULL) {
                at += strlen(key);
                while (at[n] != '\0' && at[n] != '"' && n + 1 < size) {
                    out[n] = at[n];
                    n++;
                }
            }
            out[n] = '\0';
        }

        int main(void) {
            char *line = NULL;
            size_t capacity = 0;
            ssize_t length;
            if (getenv("__OW_WAIT_FOR_ACK") != NULL) put_text(3, "{\"ok\":true}\n");
            while ((length = getline(&line, &capacity, stdin)) > 0) {
                char nonce[64], fault[32], text[256];
                const char *found, *value, *end;
                long sleep_ms = 0;
                if (line[length - 1] == '\n') line[--length] = '\0';
                member(line, "\"nonce\":\"", nonce, sizeof nonce);
                member(line, "\"fault\":\"", fault, sizeof fault);
                found = strstr(line, "\"sleep_ms\":");
                if (found != NULL) sleep_ms = strtol(found + strlen("\"sleep_ms\":"), NULL, 10);
                snprintf(text, sizeof text, "soak %s\n", nonce);
                put_text(1, text);
                if (sleep_ms > 0) {
                    struct timespec pause = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
                    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {}
                }
                if (strcmp(fault, "crash") == 0) _exit(3);
                if (strcmp(fault, "error") == 0) {
                    snprintf(text, sizeof text, "soak failing %s\n", nonce);
                    put_text(2, text);
                    snprintf(text, sizeof text, "{\"error\":\"requested failure\",\"nonce\":\"%s\"}\n", nonce);
                    put_text(3, text);
                    continue;
                }
                if (strcmp(fault, "result") == 0) {
                    snprintf(text, sizeof text, "\"not an object %s\"\n", nonce);
                    put_text(3, text);
                    continue;
                }
                /* The value runs from after "value": to the request's closing brace. */
                value = strstr(line, "\"value\":");
                end = line + length;
                while (end > line && end[-1] != '}') end--;
                if (value == NULL || end <= value + 8) {
                    put_text(3, "{\"error\":\"the request has no value\"}\n");
                    continue;
                }
                value += 8;
                put(3, value, (size_t)(end - 1 - value));
                put(3, "\n", 1);
            }
            return 0;
        }
        """#

    static let pythonSource = #"""
        import os
        import sys
        import time


        def main(args):
            nonce = args.get("nonce", "")
            # Flushed at once: an activation killed at its deadline has logged too.
            print("soak", nonce, flush=True)
            if args.get("sleep_ms"):
                time.sleep(args["sleep_ms"] / 1000)
            fault = args.get("fault")
            if fault == "crash":
                os._exit(3)
            if fault == "error":
                print("soak failing", nonce, file=sys.stderr, flush=True)
                return {"error": "requested failure", "nonce": nonce}
            if fault == "result":
                return "not an object " + nonce
            return args
        """#

    static let nodeSource = #"""
        function answer(params) {
            const nonce = params.nonce || '';
            if (params.fault === 'crash') process.exit(3);
            if (params.fault === 'error') {
                console.error(`soak failing ${nonce}`);
                return { error: 'requested failure', nonce };
            }
            if (params.fault === 'result') return `not an object ${nonce}`;
            return params;
        }

        function main(params) {
            console.log(`soak ${params.nonce || ''}`);
            if (params.sleep_ms > 0) {
                return new Promise((resolve) => setTimeout(() => resolve(answer(params)), params.sleep_ms));
            }
            return answer(params);
        }
        """#
}

public enum EchoActionError: Error, CustomStringConvertible {
    case compile(String)

    public var description: String {
        switch self {
        case .compile(let reason): reason
        }
    }
}
