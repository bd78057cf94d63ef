import ActionKit
import Foundation
import Testing

@Suite("conform's catalog and filters")
struct ConformCatalogTests {
    @Test("case ids are unique, area.name in lower case, each with a description")
    func ids() {
        let ids = ConformanceCatalog.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for conformanceCase in ConformanceCatalog.all {
            let id = conformanceCase.id
            #expect(id.split(separator: ".").count == 2, "\(id)")
            #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" }, "\(id)")
            #expect(!conformanceCase.description.isEmpty && !conformanceCase.description.contains("\n"), "\(id)")
            #expect(!conformanceCase.runtimes.isEmpty, "\(id)")
        }
    }

    @Test("every runtime has core cases, and the robustness group is its own")
    func groups() {
        for runtime in RuntimeKind.allCases {
            #expect(ConformanceCatalog.select(runtime: runtime, groups: [.core]).count >= 10, "\(runtime)")
        }
        let robustness = ConformanceCatalog.select(runtime: .native, groups: [.robustness])
        #expect(robustness.allSatisfy { $0.id.hasPrefix("robust.") })
        #expect(robustness.count >= 12)
    }

    @Test("a filter is a glob when it has a wildcard, else a substring")
    func filters() {
        #expect(CaseFilter("run.*").matches("run.echo"))
        #expect(!CaseFilter("run.*").matches("robust.run"))
        #expect(CaseFilter("*.unicode").matches("python.unicode"))
        #expect(CaseFilter("init.ack-[eo]*").matches("init.ack-ok"))
        #expect(!CaseFilter("init.ack-[eo]*").matches("init.ack-refused"))
        #expect(CaseFilter("unicode").matches("run.unicode"))
        #expect(!CaseFilter("unicode").matches("run.echo"))
    }

    @Test("the summary counts each status")
    func summary() {
        let results = [CaseResult.Status.passed, .passed, .failed, .skipped].enumerated().map { index, status in
            CaseResult(id: "a.\(index)", description: "", group: .core, status: status, reason: "", duration: 0)
        }
        #expect(ConformanceSummary(results).description == "2 passed, 1 failed, 1 skipped")
    }
}
