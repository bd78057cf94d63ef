/// What kind of proxy a case needs. A `--url` target is a single running
/// proxy that can be initialised once, so the runner shares it between the
/// cases that allow it and skips the others; every other target starts a
/// fresh proxy for each case.
public enum TargetNeed: Sendable {
    /// A proxy that was never initialised; the case leaves it that way
    /// (only refused or failed inits), so the cases can share one.
    case uninitialised
    /// A proxy that the runner initialised with `action`; the case only
    /// sends activations that leave the action serving, so the cases that
    /// need the same action can share one.
    case initialised(TestAction)
    /// A proxy of its own, started with `environment` on top of the
    /// target's: the case initialises it itself, or ends its action.
    case fresh(environment: [String: String] = [:])

    var sharable: Bool {
        if case .fresh = self { return false }
        return true
    }
}
