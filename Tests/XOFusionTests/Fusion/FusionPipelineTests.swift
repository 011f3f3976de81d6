import Foundation
import Testing
@testable import XOFusion
import XOFusionSampleData

/// ``Fusion/load(_:map:policy:options:)`` begins the fusion while files are still read (``FusionPipeline``):
/// the fusion it returns must be the one ``Fusion/init(customers:answers:orders:returns:carts:tickets:mapping:options:)``
/// builds from the same tables, on any thread count, whichever file is read first.
@Suite struct FusionPipelineTests {
    /// Writes the tables as CSV files into a new folder; returns their paths by role.
    static func write(_ tables: [(FusionRole, Table)]) throws -> [FusionRole: String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xofusion-pipeline-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var paths: [FusionRole: String] = [:]
        for (role, table) in tables {
            let path = folder.appendingPathComponent("\(role.rawValue).csv").path
            try Data(CSVWriter.bytes(from: table)).write(to: URL(fileURLWithPath: path))
            paths[role] = path
        }
        return paths
    }

    /// Everything a fusion gives its users: the report, the keys and every analysis.
    static func expectSame(_ a: Fusion, _ b: Fusion, _ comment: Comment) throws {
        #expect(a.report == b.report, comment)
        #expect(a.columns == b.columns, comment)
        #expect(a.keys.count == b.keys.count, comment)
        for code in 0..<min(a.keys.count, b.keys.count) where a.keys.key(UInt32(code)) != b.keys.key(UInt32(code)) {
            Issue.record("key \(code) differs: \(comment)")
            break
        }
        // An analysis that cannot run (no orders for the attribution, no NPS for a trend) fails alike.
        func same<T: Equatable>(_ analysis: (Fusion) throws -> T) {
            #expect((try? analysis(a)) == (try? analysis(b)), comment)
        }
        #expect(try a.customerProfile().table == b.customerProfile().table, comment)
        same { try $0.scorecard().table }
        same { try $0.attribution().table }
        same { try $0.trend().table }
    }

    @Test(arguments: 0..<40)
    func aLoadIsTheFusionOfItsTables(seed: Int) throws {
        let world = AnalysisDifferentialTests.World(seed: UInt64(seed))
        let t = try world.tables()
        let paths = try Self.write([(.customers, t.customers), (.answers, t.answers), (.orders, t.orders), (.returns, t.returns), (.carts, t.carts)])
        let files = FusionFiles(answers: paths[.answers]!, customers: paths[.customers]!, orders: paths[.orders], returns: paths[.returns], carts: paths[.carts])
        for threads in [1, 2, 4] {
            let options = KernelOptions(threads: threads)
            let loaded = try Fusion.load(files, options: options)
            let r = loaded.reads
            let fused = try Fusion(
                customers: r[.customers]!.table, answers: r[.answers]!.table, orders: r[.orders]?.table, returns: r[.returns]?.table,
                carts: r[.carts]?.table, options: options)
            try Self.expectSame(loaded.fusion, fused, "seed \(seed), \(threads) threads")
            // The orders' facts in the same layout (four bytes a value when they fit).
            #expect(loaded.fusion.orderFacts.time.isNarrow == fused.orderFacts.time.isNarrow, "seed \(seed), \(threads) threads")
            #expect(loaded.fusion.orderFacts.amount.isNarrow == fused.orderFacts.amount.isNarrow, "seed \(seed), \(threads) threads")
            // Fused while read unless a file is read again (a score or time column with no value at all
            // is inferred as text, so the loader reads it again with its kind).
            #expect(loaded.pipelined == loaded.rereads.isEmpty, "seed \(seed), \(threads) threads")
        }
    }

    @Test func theSampleDataIsFusedWhileRead() throws {
        let sample = SampleData.generate(SampleDataOptions(customers: 3_000, seed: 7))
        let paths = try Self.write([
            (.customers, sample.customers), (.answers, sample.answers), (.orders, sample.orders), (.returns, sample.returns), (.carts, sample.carts),
        ])
        let files = FusionFiles(answers: paths[.answers]!, customers: paths[.customers]!, orders: paths[.orders], returns: paths[.returns], carts: paths[.carts])
        for threads in [1, 2, 3] {
            let options = KernelOptions(threads: threads)
            let loaded = try Fusion.load(files, options: options)
            #expect(loaded.pipelined)
            let r = loaded.reads
            let fused = try Fusion(
                customers: r[.customers]!.table, answers: r[.answers]!.table, orders: r[.orders]?.table, returns: r[.returns]?.table,
                carts: r[.carts]?.table, options: options)
            try Self.expectSame(loaded.fusion, fused, "\(threads) threads")
        }
    }

    @Test func withoutOrdersOrReturnsTheOtherRolesAreStillFusedWhileRead() throws {
        let sample = SampleData.generate(SampleDataOptions(customers: 500, seed: 3))
        let paths = try Self.write([(.customers, sample.customers), (.answers, sample.answers), (.carts, sample.carts)])
        let files = FusionFiles(answers: paths[.answers]!, customers: paths[.customers]!, carts: paths[.carts])
        let loaded = try Fusion.load(files, options: KernelOptions(threads: 2))
        #expect(loaded.pipelined)
        let fused = try Fusion(customers: loaded.reads[.customers]!.table, answers: loaded.reads[.answers]!.table, carts: loaded.reads[.carts]!.table)
        try Self.expectSame(loaded.fusion, fused, "no orders")
        #expect(loaded.fusion.orders == nil)
    }

    @Test func answersLinkedThroughOrdersAreFusedAfterTheReads() throws {
        let files = try FusionLoadTests.files(
            answers: "order_id,responded_at,nps\nO1,2025-03-03T10:00:00Z,9\nO2,2025-03-04T10:00:00Z,4\nO9,2025-03-04T11:00:00Z,7\n",
            orders: FusionLoadTests.goodOrders)
        let loaded = try Fusion.load(files)
        #expect(!loaded.pipelined)
        #expect(loaded.fusion.report.unlinkedAnswers == 1)
        #expect(try loaded.fusion.customerProfile().summary.withNPS == 2)
    }

    @Test func anErrorInAStepIsTheSequentialPathsFirstError() throws {
        // Duplicate customers stop the customers' step; the orders' missing amount column is found first
        // by the sequential path (columns are resolved before anything is encoded), so that is the error.
        var files = try FusionLoadTests.files(
            answers: "customer_id,responded_at,nps\n0012,2025-03-03T10:00:00Z,9\n", orders: "order_id,customer_id,ordered_at\nO1,0012,2025-03-01\n")
        let duplicates = try Self.write([(.customers, try Table(["customer_id": try .string(["0012", "0034", "0012"])]))])
        files.customers = duplicates[.customers]!
        for threads in [1, 2] {
            #expect {
                _ = try Fusion.load(files, options: KernelOptions(threads: threads))
            } throws: { error in
                guard case FusionLoadError.fusion(.missingColumn(.orders, "amount", _, _)) = error else { return false }
                return true
            }
        }
        // With the orders' amounts there, the duplicates are the error.
        files.orders = try FusionLoadTests.files(answers: "customer_id\n", orders: FusionLoadTests.goodOrders).orders
        for threads in [1, 2] {
            #expect {
                _ = try Fusion.load(files, options: KernelOptions(threads: threads))
            } throws: { error in
                guard case FusionLoadError.fusion(.duplicateCustomers(_, let examples, let count)) = error else { return false }
                return examples == ["0012"] && count == 1
            }
        }
    }
}
