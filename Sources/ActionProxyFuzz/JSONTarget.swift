import ActionProxy

/// What `JSONParser` makes of some bytes.
enum JSONOutcome {
    case value(JSONValue)
    /// Nested deeper than `JSONParser.maxDepth`: the parser refuses what the
    /// validator, with its much higher limit, may accept.
    case tooDeep
    case invalid(JSONError)

    init(_ input: UnsafeRawBufferPointer) {
        do {
            self = .value(try JSONParser.parse(input))
        } catch {
            self = error.message == JSONError.tooDeepMessage ? .tooDeep : .invalid(error)
        }
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { JSONOutcome($0) }
    }
}

/// JSON documents. The parser (init bodies, env values) and the validator
/// (run bodies, results) must accept exactly the same documents; an error
/// points inside the input; a parsed value written out compactly parses back
/// to the same text.
enum JSONTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let validated = JSONValidator.isObjectOrArray(input)
        switch JSONOutcome(input) {
        case .tooDeep:
            return
        case .invalid(let error):
            require(!validated, "the validator accepts a document the parser refuses (\(error))")
            require(
                error.offset >= 0 && error.offset <= input.count,
                "a JSON error offset \(error.offset) lies outside the \(input.count)-byte input")
        case .value(let value):
            require(
                validated == value.isContainer,
                "the validator says \(validated) for a document the parser reads as \(value.kindName)")
            let compact = value.compactUTF8
            guard case .value(let again) = JSONOutcome(compact) else {
                violated("the compact text of a parsed value does not parse")
            }
            require(again.compactUTF8 == compact, "a value's compact text changes when parsed and written again")
        }
    }
}

extension JSONValue {
    fileprivate var isContainer: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }

    fileprivate var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
