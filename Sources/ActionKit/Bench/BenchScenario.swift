/// What `actionkit bench` can measure. Each is measured on every proxy of a
/// run, interleaved round by round.
public enum BenchScenario: String, CaseIterable, Codable, Sendable {
    /// Warm `/run` with a small value (`--payload-bytes`) for `--duration`.
    case warm
    /// Warm `/run` with a large value (`--large-payload-bytes`, 1 MiB by default).
    case large
    /// `POST /init` of the action on a fresh proxy (`--samples` per round).
    case `init`
    /// Cold start: the proxy process spawned → the action initialised → the
    /// first `/run` answered (`--samples` per round).
    case cold
    /// Resident memory of a fresh proxy after `--activations` runs.
    case rss
    /// `POST /init` of a large action (`--large-init-size`, 40 MiB by
    /// default) on a fresh proxy per sample, in two forms reported as two
    /// rows: `large-init-zip` (a zip of random bytes and `exec`, base64) and
    /// `large-init-source` (a `#!` script); the time and the peak resident
    /// memory (`VmHWM`) once the init answered.
    case largeInit = "large-init"
}
