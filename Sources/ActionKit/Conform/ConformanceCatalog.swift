/// Every case the kit knows, in the order they run and are reported.
public enum ConformanceCatalog {
    public static let all: [ConformanceCase] =
        InitCases.all + RunCases.all + LogCases.all + ProcessCases.all + PythonCases.all + NodeCases.all
        + SwiftCases.all + BlackboxCases.all + SharedSuiteCases.all + UpstreamCases.all + RobustnessCases.all
        + EntrypointCases.all

    /// The cases for `runtime` in `groups` whose id matches one of
    /// `filters` (all of them when there is none).
    public static func select(runtime: RuntimeKind, groups: Set<CaseGroup>, filters: [CaseFilter] = [])
        -> [ConformanceCase]
    {
        all.filter { conformanceCase in
            conformanceCase.runtimes.contains(runtime) && groups.contains(conformanceCase.group)
                && (filters.isEmpty || filters.contains { $0.matches(conformanceCase.id) })
        }
    }
}
