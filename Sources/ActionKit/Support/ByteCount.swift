import Foundation

/// A size in bytes as the kit's reports write it, in units of 1024: whole
/// when exact (`32 B`, `64 KiB`, `40 MiB`), else with one decimal
/// (`42.8 KiB`, `1.5 MiB`).
public enum ByteCount {
    public static func text(_ bytes: Int) -> String {
        if bytes >= 1 << 20 { return text(bytes, unit: 1 << 20, "MiB") }
        if bytes >= 1 << 10 { return text(bytes, unit: 1 << 10, "KiB") }
        return "\(bytes) B"
    }

    private static func text(_ bytes: Int, unit: Int, _ name: String) -> String {
        if bytes % unit == 0 { return "\(bytes / unit) \(name)" }
        return String(format: "%.1f \(name)", Double(bytes) / Double(unit))
    }
}
