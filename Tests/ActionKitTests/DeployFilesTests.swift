import ActionKit
import Foundation
import Testing
import Yams

/// deploy/knative/service.yaml and deploy/kubernetes/deployment.yaml (issue
/// 17). There is no cluster here: these checks are what stands between the
/// files and a `kubectl apply` that refuses them, or a pod that never serves.
@Suite("the Knative and Kubernetes deployment files")
struct DeployFilesTests {
    static let knative = Kit.repository.appendingPathComponent("deploy/knative/service.yaml")
    static let kubernetes = Kit.repository.appendingPathComponent("deploy/kubernetes/deployment.yaml")

    @Test("deploy/knative/service.yaml is a Knative Service of an image make images builds, probing /health on 8080")
    func knativeService() throws {
        let documents = try PodFile.documents(Self.knative)
        try #require(documents.count == 1)
        let service = documents[0]
        #expect(service["apiVersion"] as? String == "serving.knative.dev/v1")
        #expect(service["kind"] as? String == "Service")
        #expect(PodFile.value(["metadata", "name"], in: service) as? String == "hello")
        let pod = try #require(PodFile.podSpec(service))
        #expect(PodFile.containerProblems(pod, built: try RuntimesManifestTests.builtImages()) == [])
        let concurrency = pod["containerConcurrency"]
        #expect(
            (concurrency as? Int).map { $0 >= 0 } == true, "containerConcurrency \(String(describing: concurrency))")
        // Knative's default max-revision-timeout-seconds is 600.
        let timeout = pod["timeoutSeconds"]
        #expect(
            (timeout as? Int).map { (1...600).contains($0) } == true, "timeoutSeconds \(String(describing: timeout))")
    }

    @Test("deploy/kubernetes/deployment.yaml is a Deployment of the same container and a Service sending port 80 to it")
    func kubernetesDeployment() throws {
        let documents = try PodFile.documents(Self.kubernetes)
        try #require(documents.count == 2)
        let (deployment, service) = (documents[0], documents[1])
        #expect(deployment["apiVersion"] as? String == "apps/v1")
        #expect(deployment["kind"] as? String == "Deployment")
        #expect(PodFile.value(["metadata", "name"], in: deployment) as? String == "hello")
        #expect(service["apiVersion"] as? String == "v1")
        #expect(service["kind"] as? String == "Service")
        #expect(PodFile.value(["metadata", "name"], in: service) as? String == "hello")
        let pod = try #require(PodFile.podSpec(deployment))
        #expect(PodFile.containerProblems(pod, built: try RuntimesManifestTests.builtImages()) == [])
        #expect(PodFile.serviceProblems(deployment: deployment, service: service) == [])
        #expect(PodFile.value(["spec", "ports", 0, "port"], in: service) as? Int == 80)
    }

    @Test("both files run the same container: image, action, probe, resources, read-only root and /tmp")
    func sameContainer() throws {
        let knative = try #require(try PodFile.documents(Self.knative).first.flatMap(PodFile.podSpec))
        let kubernetes = try #require(try PodFile.documents(Self.kubernetes).first.flatMap(PodFile.podSpec))
        let a = try #require(PodFile.containers(knative).first)
        let b = try #require(PodFile.containers(kubernetes).first)
        for key in ["image", "resources", "securityContext", "volumeMounts"] {
            #expect(PodFile.canonical(a[key]) == PodFile.canonical(b[key]), "\(key)")
        }
        // The same probes; how often they run may differ (Knative probes on its own schedule).
        for kind in PodFile.probes {
            let probe = [kind, "httpGet"]
            #expect(
                PodFile.canonical(PodFile.value(probe, in: a)) == PodFile.canonical(PodFile.value(probe, in: b)),
                "\(kind)")
        }
        // OW_SHUTDOWN_GRACE_MS is the one that follows each platform's grace period.
        let action = { (container: [String: Any]) in
            PodFile.environment(container).filter { $0.key.hasPrefix("__OW_") }
        }
        #expect(action(a) == action(b))
    }

    @Test("a YAML number or boolean in env.value, a classic Kubernetes error, is caught; the files have none")
    func environmentStrings() throws {
        for file in [Self.knative, Self.kubernetes] {
            let pod = try #require(try PodFile.documents(file).first.flatMap(PodFile.podSpec))
            for container in PodFile.containers(pod) {
                #expect(PodFile.environmentProblems(container) == [], "\(file.lastPathComponent)")
            }
        }
        let bad = try PodFile.mapping(
            """
            env:
              - name: OW_SHUTDOWN_GRACE_MS
                value: 20000
              - name: __OW_ALLOW_CONCURRENT
                value: true
              - name: __OW_ACTION_NAME
                value: "hello"
              - name: __OW_NAMESPACE
                valueFrom:
                  fieldRef:
                    fieldPath: metadata.namespace
            """)
        let problems = PodFile.environmentProblems(bad)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.contains("OW_SHUTDOWN_GRACE_MS") && $0.contains("Int") })
        #expect(problems.contains { $0.contains("__OW_ALLOW_CONCURRENT") && $0.contains("Bool") })
    }

    @Test(
        "resources are Kubernetes quantities, requests within limits: 256Mi, 1Gi, 500M and 250m parse, 256 MB does not")
    func quantities() throws {
        #expect(PodFile.quantity("256Mi") == Double(256 << 20))
        #expect(PodFile.quantity("1Gi") == Double(1 << 30))
        #expect(PodFile.quantity("500M") == 500e6)
        #expect(PodFile.quantity("1.5Gi") == Double(1536 << 20))
        #expect(PodFile.quantity("250m") == 0.25)
        #expect(PodFile.quantity("1") == 1)
        #expect(PodFile.quantity(2) == 2)
        for refused in ["256 MB", "256MB", "256mi", "Mi", "", "1..5Gi", "-1Gi"] {
            #expect(PodFile.quantity(refused) == nil, "\(refused)")
        }
        let bad = try PodFile.mapping(
            """
            resources:
              requests:
                memory: 512Mi
                cpu: 250m
              limits:
                memory: 256 MB
                cpu: 100m
            """)
        let problems = PodFile.resourceProblems(bad)
        #expect(problems.contains { $0.contains("limits.memory") && $0.contains("256 MB") }, "\(problems)")
        #expect(problems.contains { $0.contains("cpu") && $0.contains("more than") }, "\(problems)")
    }

    @Test("a container without a read-only root, without an emptyDir on /tmp, or probing elsewhere, is caught")
    func refusedContainers() throws {
        let built = try RuntimesManifestTests.builtImages()
        let pod = try PodFile.mapping(
            """
            containers:
              - image: actionproxy/python:1.0
                ports:
                  - containerPort: "8080"
                readinessProbe:
                  httpGet:
                    path: /run
                    port: 8081
                volumeMounts:
                  - name: scratch
                    mountPath: /tmp
              - image: actionproxy/nodejs
            volumes:
              - name: scratch
                hostPath:
                  path: /scratch
            """)
        let problems = PodFile.containerProblems(pod, built: built).joined(separator: "\n")
        #expect(problems.contains("actionproxy/python:1.0 is not an image make images builds"), "\(problems)")
        #expect(problems.contains("containerPort"), "\(problems)")
        #expect(problems.contains("the readinessProbe is not an httpGet of /health"), "\(problems)")
        #expect(problems.contains("the livenessProbe is not an httpGet of /health"), "\(problems)")
        #expect(problems.contains("the startupProbe gives the init 30 s"), "\(problems)")
        #expect(problems.contains("readOnlyRootFilesystem"), "\(problems)")
        #expect(problems.contains("/tmp is not an emptyDir"), "\(problems)")
        #expect(problems.contains("no volume is mounted on /tmp"), "\(problems)")
    }

    @Test(
        "the grace period covers OW_SHUTDOWN_GRACE_MS: terminationGracePeriodSeconds on Kubernetes, timeoutSeconds on Knative"
    )
    func gracePeriods() throws {
        let deployment = try #require(try PodFile.documents(Self.kubernetes).first.flatMap(PodFile.podSpec))
        let container = try #require(PodFile.containers(deployment).first)
        // Set explicitly, so that the file says what it was sized for.
        #expect(PodFile.environment(container)["OW_SHUTDOWN_GRACE_MS"] != nil)
        #expect(PodFile.graceProblems(kubernetes: deployment) == [])
        let knative = try #require(try PodFile.documents(Self.knative).first.flatMap(PodFile.podSpec))
        #expect(PodFile.graceProblems(knative: knative) == [])

        let short = try PodFile.mapping(
            """
            terminationGracePeriodSeconds: 30
            containers:
              - lifecycle:
                  preStop:
                    exec:
                      command: ["sleep", "5"]
                env:
                  - name: OW_SHUTDOWN_GRACE_MS
                    value: "25000"
            """)
        #expect(PodFile.graceProblems(kubernetes: short).count == 1)
        let quick = try PodFile.mapping("timeoutSeconds: 5\ncontainers:\n  - image: actionproxy/python")
        #expect(PodFile.graceProblems(knative: quick).count == 1, "the default 5 s grace needs 6 s")
    }

    @Test("the Python action given inline in __OW_ACTION_CODE parses as Python and defines its __OW_ACTION_MAIN")
    func inlineActionParses() throws {
        for file in [Self.knative, Self.kubernetes] {
            let pod = try #require(try PodFile.documents(file).first.flatMap(PodFile.podSpec))
            let environment = try #require(PodFile.containers(pod).first.map(PodFile.environment))
            let code = try #require(environment["__OW_ACTION_CODE"], "\(file.lastPathComponent)")
            let main = environment["__OW_ACTION_MAIN"] ?? "main"
            #expect(code.contains("def \(main)("), "\(file.lastPathComponent): no def \(main)")
            let outcome = try ProcessRunner.run(
                "/usr/bin/env", ["python3", "-c", "import ast,sys; ast.parse(sys.stdin.read())"], input: Data(code.utf8)
            )
            #expect(outcome.status == 0, "\(file.lastPathComponent): \(outcome.errors)")
        }
    }
}

extension DeployFilesTests {
    /// The container of each file run as Knative runs it (read-only root,
    /// `/tmp` an exec tmpfs, `$PORT`, traffic once `/health` answers 200),
    /// with the file's image, environment and memory limit.
    @Test(
        "each file's container, run with its image and environment on a read-only root, answers the request docs/knative.md shows",
        .enabled(if: Kit.imageEnabled("actionproxy/python")))
    func containerServes() throws {
        for file in [Self.knative, Self.kubernetes] {
            let pod = try #require(try PodFile.documents(file).first.flatMap(PodFile.podSpec))
            let container = try #require(PodFile.containers(pod).first)
            let image = try #require(container["image"] as? String)
            let memory = try #require(PodFile.value(["resources", "limits", "memory"], in: container) as? String)
            let served = try ProxyContainer.start(
                image: image,
                limits: ContainerLimits(memory: memory.replacingOccurrences(of: "Mi", with: "m"), driver: .knative),
                environment: PodFile.environment(container))
            defer { served.stop() }
            let client = try served.client()
            let health = try client.request("GET", "/health")
            #expect(health.status == 200, "\(file.lastPathComponent): \(health.text)")
            let answer = try client.request("POST", "/", body: Data(#"{"value":{"name":"Ada"}}"#.utf8))
            #expect(answer.status == 200, "\(file.lastPathComponent): \(answer.text)")
            let result = try JSONSerialization.jsonObject(with: answer.body) as? [String: String]
            #expect(result == ["greeting": "Hello Ada"], "\(file.lastPathComponent): \(answer.text)")
        }
    }
}

/// Reads Kubernetes YAML as plain values and says what Kubernetes, Knative or
/// the proxy would object to in a pod's containers.
enum PodFile {
    /// The proxy's OW_SHUTDOWN_GRACE_MS when it is not set.
    static let defaultShutdownGraceMilliseconds = 5000
    /// Kubernetes' terminationGracePeriodSeconds when not set.
    static let defaultTerminationGraceSeconds = 30
    /// Knative's timeoutSeconds when not set (its revision-timeout-seconds).
    static let defaultKnativeTimeoutSeconds = 300

    static func documents(_ url: URL) throws -> [[String: Any]] {
        var sequence = try Yams.load_all(yaml: String(contentsOf: url, encoding: .utf8))
        var documents: [[String: Any]] = []
        while let document = sequence.next() {
            documents.append(try #require(document as? [String: Any], "\(url.lastPathComponent): not a mapping"))
        }
        if let error = sequence.error { throw error }
        return documents
    }

    /// A pod spec or a container written as YAML.
    static func mapping(_ yaml: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: yaml) as? [String: Any])
    }

    /// The value at `path` (keys of mappings, indices of sequences).
    static func value(_ path: [any Sendable], in root: Any?) -> Any? {
        path.reduce(root) { node, step in
            switch step {
            case let key as String: (node as? [String: Any])?[key]
            case let index as Int: (node as? [Any]).flatMap { $0.indices.contains(index) ? $0[index] : nil }
            default: nil
            }
        }
    }

    /// A Deployment's or a Knative Service's pod spec: both keep it at spec.template.spec.
    static func podSpec(_ document: [String: Any]) -> [String: Any]? {
        value(["spec", "template", "spec"], in: document) as? [String: Any]
    }

    static func containers(_ pod: [String: Any]) -> [[String: Any]] {
        pod["containers"] as? [[String: Any]] ?? []
    }

    /// The env entries that have a string value.
    static func environment(_ container: [String: Any]) -> [String: String] {
        var environment: [String: String] = [:]
        for entry in container["env"] as? [[String: Any]] ?? [] {
            if let name = entry["name"] as? String, let value = entry["value"] as? String { environment[name] = value }
        }
        return environment
    }

    /// A value as text, mappings with sorted keys: two values are the same
    /// when their texts are.
    static func canonical(_ value: Any?) -> String {
        switch value {
        case let mapping as [String: Any]:
            "{" + mapping.keys.sorted().map { "\($0): \(canonical(mapping[$0]))" }.joined(separator: ", ") + "}"
        case let sequence as [Any]: "[" + sequence.map(canonical).joined(separator: ", ") + "]"
        case let value?: "\(type(of: value)) \(value)"
        case nil: "nil"
        }
    }

    /// A Kubernetes resource quantity in base units (`256Mi`, `1Gi`, `500M`,
    /// `250m`, `1`), or nil for one the API server refuses. Signs and
    /// exponents, which it also takes, are not used in these files.
    static func quantity(_ value: Any?) -> Double? {
        if let number = value as? Int { return Double(number) }
        if let number = value as? Double { return number }
        guard let text = value as? String else { return nil }
        let binary: [String: Double] = [
            "Ki": 0x1p10, "Mi": 0x1p20, "Gi": 0x1p30, "Ti": 0x1p40, "Pi": 0x1p50, "Ei": 0x1p60,
        ]
        let decimal: [Character: Double] = ["m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18]
        var digits = Substring(text)
        var factor = 1.0
        if let multiple = binary[String(text.suffix(2))] {
            digits = digits.dropLast(2)
            factor = multiple
        } else if let last = text.last, let multiple = decimal[last] {
            digits = digits.dropLast()
            factor = multiple
        }
        let number = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(number.count),
            number.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            !number[0].isEmpty, let parsed = Double(digits)
        else { return nil }
        return parsed * factor
    }

    /// What Kubernetes or the proxy would object to in each container of `pod`.
    static func containerProblems(_ pod: [String: Any], built: Set<String>) -> [String] {
        let containers = containers(pod)
        guard !containers.isEmpty else { return ["no containers"] }
        var volumes: [String: [String: Any]] = [:]
        for volume in pod["volumes"] as? [[String: Any]] ?? [] {
            if let name = volume["name"] as? String { volumes[name] = volume }
        }
        return containers.flatMap { container -> [String] in
            var problems: [String] = []
            let image = container["image"] as? String ?? ""
            let reference = image.contains(":") ? image : image + ":latest"
            if !built.contains(reference) { problems.append("\(image) is not an image make images builds") }
            problems += portProblems(container)
            problems += environmentProblems(container)
            problems += resourceProblems(container)
            if value(["securityContext", "readOnlyRootFilesystem"], in: container) as? Bool != true {
                problems.append("securityContext.readOnlyRootFilesystem is not true")
            }
            let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
            if let tmp = mounts.first(where: { $0["mountPath"] as? String == "/tmp" }) {
                // An emptyDir is mounted exec: the action's files can run from it.
                if volumes[tmp["name"] as? String ?? ""]?["emptyDir"] == nil {
                    problems.append("/tmp is not an emptyDir volume of the pod")
                }
            } else {
                problems.append("no volume is mounted on /tmp: a read-only root leaves the action nowhere to go")
            }
            return problems
        }
    }

    /// The probes a baked container needs, each an httpGet of /health.
    static let probes = ["startupProbe", "readinessProbe", "livenessProbe"]

    /// One port, 8080 as an integer; the startup, readiness and liveness
    /// probes each an httpGet of /health on it, and the startup probe giving
    /// the init at least two minutes (a Swift source compiles at start-up)
    /// before the liveness probe, which restarts an exited action, begins.
    static func portProblems(_ container: [String: Any]) -> [String] {
        var problems: [String] = []
        let ports = container["ports"] as? [[String: Any]] ?? []
        if ports.count != 1 || ports[0]["containerPort"] as? Int != 8080 {
            problems.append("containerPort: want one port, 8080 as an integer: \(ports)")
        }
        for kind in probes {
            let probe = value([kind, "httpGet"], in: container) as? [String: Any]
            if probe?["path"] as? String != "/health" {
                problems.append("the \(kind) is not an httpGet of /health: \(String(describing: probe))")
            }
            let probed = probe?["port"]
            let name = ports.first?["name"] as? String
            if probed as? Int != 8080 && (name == nil || probed as? String != name) {
                problems.append("the \(kind) is not on the container port 8080: \(String(describing: probed))")
            }
        }
        let startup = container["startupProbe"] as? [String: Any]
        // Kubernetes' defaults: every 10 s, 3 failures.
        let period = startup?["periodSeconds"] as? Int ?? 10
        let failures = startup?["failureThreshold"] as? Int ?? 3
        if period * failures < 120 {
            problems.append("the startupProbe gives the init \(period * failures) s: want at least 120")
        }
        return problems
    }

    /// Every env entry has a name and a string value (or a valueFrom).
    static func environmentProblems(_ container: [String: Any]) -> [String] {
        (container["env"] as? [[String: Any]] ?? []).compactMap { entry in
            let name = entry["name"] as? String ?? "(no name)"
            switch (entry["value"], entry["valueFrom"]) {
            case (is String, nil), (nil, is [String: Any]): return nil
            case (let value?, nil):
                return "env \(name): the value \(value) is a YAML \(type(of: value)), not a string: quote it"
            default: return "env \(name): wants a string value or a valueFrom"
            }
        }
    }

    /// Memory and CPU as quantities, requests no more than limits.
    static func resourceProblems(_ container: [String: Any]) -> [String] {
        var problems: [String] = []
        for resource in ["memory", "cpu"] {
            var amounts: [String: Double] = [:]
            for kind in ["requests", "limits"] {
                let written = value(["resources", kind, resource], in: container)
                if let amount = quantity(written) {
                    amounts[kind] = amount
                } else {
                    problems.append("resources.\(kind).\(resource): \(String(describing: written)) is not a quantity")
                }
            }
            if let request = amounts["requests"], let limit = amounts["limits"], request > limit {
                problems.append("resources: the \(resource) requested is more than its limit")
            }
        }
        return problems
    }

    /// The Deployment selects its own pods, and the Service selects them and
    /// sends to their container port.
    static func serviceProblems(deployment: [String: Any], service: [String: Any]) -> [String] {
        var problems: [String] = []
        let labels = value(["spec", "template", "metadata", "labels"], in: deployment) as? [String: String] ?? [:]
        let matches = { (selector: [String: String]) in
            !selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }
        }
        let selector = value(["spec", "selector", "matchLabels"], in: deployment) as? [String: String] ?? [:]
        if !matches(selector) {
            problems.append("the Deployment's selector \(selector) is not in its labels \(labels)")
        }
        let serviceSelector = value(["spec", "selector"], in: service) as? [String: String] ?? [:]
        if !matches(serviceSelector) {
            problems.append("the Service's selector \(serviceSelector) does not select the pods \(labels)")
        }
        let port = value(["spec", "template", "spec", "containers", 0, "ports", 0], in: deployment) as? [String: Any]
        for entry in value(["spec", "ports"], in: service) as? [[String: Any]] ?? [] {
            let target = entry["targetPort"]
            let named = (target as? String).map { $0 == port?["name"] as? String } ?? false
            if target as? Int != port?["containerPort"] as? Int && !named {
                problems.append("the Service's targetPort \(String(describing: target)) is not the container port")
            }
        }
        return problems
    }

    /// The proxy's OW_SHUTDOWN_GRACE_MS, in seconds.
    static func shutdownGraceSeconds(_ container: [String: Any]) -> Int {
        let milliseconds = environment(container)["OW_SHUTDOWN_GRACE_MS"].flatMap { Int($0) }
        return ((milliseconds ?? defaultShutdownGraceMilliseconds) + 999) / 1000
    }

    /// How long a preStop hook waits before SIGTERM (`sleep N` or the sleep action).
    static func preStopSeconds(_ container: [String: Any]) -> Int {
        if let seconds = value(["lifecycle", "preStop", "sleep", "seconds"], in: container) as? Int { return seconds }
        let command = value(["lifecycle", "preStop", "exec", "command"], in: container) as? [String] ?? []
        return command.count == 2 && command[0].hasSuffix("sleep") ? Int(command[1]) ?? 0 : 0
    }

    /// On Kubernetes the preStop hook and the proxy's grace, and a second
    /// more, fit in terminationGracePeriodSeconds.
    static func graceProblems(kubernetes pod: [String: Any]) -> [String] {
        let period = pod["terminationGracePeriodSeconds"] as? Int ?? defaultTerminationGraceSeconds
        return containers(pod).compactMap { container in
            let needed = preStopSeconds(container) + shutdownGraceSeconds(container) + 1
            return needed > period ? "terminationGracePeriodSeconds \(period) < \(needed) needed" : nil
        }
    }

    /// Knative has no terminationGracePeriodSeconds: it gives the pod the
    /// revision's timeoutSeconds to stop.
    static func graceProblems(knative pod: [String: Any]) -> [String] {
        let period = pod["timeoutSeconds"] as? Int ?? defaultKnativeTimeoutSeconds
        return containers(pod).compactMap { container in
            let needed = shutdownGraceSeconds(container) + 1
            return needed > period ? "timeoutSeconds \(period) < \(needed) needed" : nil
        }
    }
}
