import ActionProxy
import NIOCore

/// `POST /run` bodies, inspected and flattened as the server does before
/// writing them to the action. The single-pass validator behind `inspect` must
/// agree with the full parser on what is one JSON object, and flattening must
/// remove exactly the newlines and keep a valid body valid, with the same
/// deadline: the action reads the body as one line.
enum RunBodyTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let body = ByteBuffer(bytes: input)
        let inspection = RunRequest.inspect(body)
        let line = RunRequest.singleLine(body)
        require(
            line.readableBytesView.elementsEqual(input.lazy.filter { $0 != 0x0A }),
            "singleLine did not remove exactly the newlines")

        switch JSONOutcome(input) {
        case .tooDeep:
            // The parser stops at a depth the validator allows: no comparison.
            return
        case .invalid:
            require(inspection == nil, "a body that is not JSON was accepted as an object")
        case .value(let value):
            guard case .object(let members) = value else {
                require(inspection == nil, "a JSON body that is not an object was accepted as one")
                return
            }
            guard let inspection else { violated("a JSON object body was refused") }
            if !members.contains(where: { $0.key == "deadline" }) {
                require(inspection.deadline == nil, "a deadline was read from a body without one")
            }
            require(
                RunRequest.inspect(line) == inspection,
                "the body as one line inspects differently from the body as sent")
        }
    }
}
