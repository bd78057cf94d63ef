import ActionProxy
import Foundation

/// An action's code as `/init` carries it: source text, or a base64 archive
/// or executable with `binary: true`.
public struct ActionCode: Sendable {
    public var code: String
    public var binary: Bool

    public init(code: String, binary: Bool) {
        self.code = code
        self.binary = binary
    }

    /// The body of `POST /init` with this code (PROTOCOL.md §2):
    /// `{"value": {"code", "binary", "main"?, "name"?, "env"?}}`. Every init
    /// the kit sends is built here; how it is encoded is the sender's.
    public func initBody(main: String? = nil, name: String? = nil, env: [String: Any]? = nil) -> [String: Any] {
        var value: [String: Any] = ["code": code, "binary": binary]
        if let main { value["main"] = main }
        if let name { value["name"] = name }
        if let env { value["env"] = env }
        return ["value": value]
    }

    /// Reads an action from a file or folder as the platform's CLI would
    /// send it: a folder is zipped; zips, tar.gz, jars and any file that is
    /// not UTF-8 text (an executable) go as base64; text goes as it is.
    public static func load(path: String) throws(ActionCodeError) -> ActionCode {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .notFound(path)
        }
        if isFolder.boolValue {
            do {
                return ActionCode(code: Data(try zipArchive(ofFolder: path)).base64EncodedString(), binary: true)
            } catch {
                throw .unreadable(path, "\(error)")
            }
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        let archiveSuffixes = [".zip", ".tar.gz", ".tgz", ".jar"]
        if archiveSuffixes.contains(where: { path.lowercased().hasSuffix($0) }) || !isText(data) {
            return ActionCode(code: data.base64EncodedString(), binary: true)
        }
        return ActionCode(code: String(decoding: data, as: UTF8.self), binary: false)
    }

    /// UTF-8 without NUL bytes: what a source file is and an executable is not.
    private static func isText(_ data: Data) -> Bool {
        !data.contains(0) && String(data: data, encoding: .utf8) != nil
    }
}

/// Why an action's code could not be read.
public enum ActionCodeError: Error, CustomStringConvertible {
    case notFound(String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .notFound(let path): "no such file or folder: \(path)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
