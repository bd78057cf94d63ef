import ActionProxy
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `POST /init` bodies, decoded as the server decodes them, and their code
/// built as `/init` builds it: by the proxy's own `ActionBuilder`, in the
/// sandbox's action folder, so that the whole intake (JSON, base64, the way
/// the code goes in, extraction, cleanup) is fuzzed in one go. Whatever the
/// bytes, the body is either decoded or refused as a bad request (400); a
/// decoded request has a `main` and, when it has code, non-empty code. Then,
/// by the way the proxy took the code in (`CodeIntake`): an archive is
/// extracted under the checks of `ArchiveTarget`, or refused as an invalid
/// archive and its folder gone; code kept whole (`exec`, a jar) is the one
/// file of `bin/`, byte for byte. Nothing outside the action folder changes.
enum InitBodyTarget {
    /// Which way an input went, for `--verbose` replays.
    enum Outcome: CustomStringConvertible {
        /// The body was refused: 400.
        case refused
        /// A body without code: 403, or the default action.
        case noCode
        /// The code went in this way and the action was built.
        case built(CodeIntake)
        /// The code was refused on its way in (a bad archive): 400.
        case refusedCode(CodeIntake)

        var description: String {
            switch self {
            case .refused: "body refused (400)"
            case .noCode: "no code"
            case .built(let intake): "\(intake.name) built"
            case .refusedCode(let intake): "\(intake.name) refused (400)"
            }
        }
    }

    /// `OW_SAVE_JAR` of the fuzzed proxy: set, so that a zip with a manifest
    /// takes the jar way (a zip without one is still extracted).
    static let jarName = "action.jar"

    /// The proxy as the fuzzer runs it: action folders in the sandbox, the
    /// archive targets' small limits, and no compiler or `OW_EXECUTION_ENV`,
    /// so that a build ends once the code is in `bin/`.
    static let builder: ActionBuilder = {
        var configuration = Configuration()
        configuration.actionDirectory = ArchiveSandbox.shared.actionFolder
        configuration.saveJar = jarName
        configuration.archiveLimits = ArchiveTarget.limits
        return ActionBuilder(configuration: configuration)
    }()

    static func run(_ input: UnsafeRawBufferPointer) -> Outcome {
        let request: InitRequest
        do {
            request = try InitRequest.decode(ByteBuffer(bytes: input))
        } catch {
            guard case .invalidRequest = error else {
                violated("an /init body was refused with \(error), not as an invalid request")
            }
            return .refused
        }
        require(!request.main.isEmpty, "a decoded /init has an empty main")
        guard let code = request.code else { return .noCode }
        require(!code.isEmpty, "a decoded /init has empty code instead of none")
        return build(code, for: request)
    }

    private static func build(_ code: [UInt8], for request: InitRequest) -> Outcome {
        let sandbox = ArchiveSandbox.shared
        let actions = sandbox.freshActionFolder()
        let intake = CodeIntake(code, saveJar: jarName)
        let outcome: Outcome
        do {
            let executable = try builder.build(
                code: code, main: request.main, environment: request.environment, number: 1)
            let folder = builder.folder(1)
            require(executable == folder + "/bin/exec", "the action's executable is \(executable), not its bin/exec")
            sandbox.checkSurroundings()
            require(
                ArchiveSandbox.names(in: actions) == ["1"] && ArchiveSandbox.names(in: folder) == ["bin"],
                "the built action is not the one folder 1/bin/: \(ArchiveSandbox.names(in: actions))")
            let bin = folder + "/bin"
            switch intake {
            case .zip, .tarGz: ArchiveTarget.checkExtracted(bin)
            case .jar(let name): checkKeptWhole(code, in: bin, name: name, mode: 0o644)
            case .exec: checkKeptWhole(code, in: bin, name: "exec", mode: 0o755)
            }
            outcome = .built(intake)
        } catch {
            guard case .invalidRequest(let message) = error, message.hasPrefix("Invalid archive: ") else {
                violated("code taken as \(intake.name) was refused with \(error), not as an invalid archive")
            }
            switch intake {
            case .zip, .tarGz: break
            case .jar, .exec: violated("code kept whole as \(intake.name) was refused as an archive: \(message)")
            }
            sandbox.checkSurroundings()
            require(
                ArchiveSandbox.names(in: actions).isEmpty,
                "a refused init left \(ArchiveSandbox.names(in: actions)) behind in the action folder")
            outcome = .refusedCode(intake)
        }
        sandbox.removeActionFolder()
        return outcome
    }

    /// Code kept whole is the only entry of `bin/`: a regular file named
    /// `name` with the code's bytes and exactly `mode`.
    private static func checkKeptWhole(_ code: [UInt8], in bin: String, name: String, mode: mode_t) {
        let tree = ExtractedTree(folder: bin)
        guard tree.nodes.count == 1, case .file(let found, let size, _, _) = tree.nodes[[Array(name.utf8)]] else {
            violated(
                "code kept whole as \(name) is not the one file of bin/: \(tree.nodes.keys.map(ExtractedTree.display))"
            )
        }
        require(
            found & 0o7777 == mode,
            "\(name) has mode \(String(found & 0o7777, radix: 8)), not \(String(mode, radix: 8))")
        require(
            size == code.count && (try? FileSystem.readFile(bin + "/" + name, limit: code.count)) == code,
            "\(name) does not hold the code's bytes")
    }
}
