import Testing
@testable import XOFusionCore

/// One column per kind, built from optionals, with and without nulls.
enum KindSamples {
    static func column(_ kind: ColumnKind, withNulls: Bool) throws -> (Column, [CellValue]) {
        let n = withNulls
        switch kind {
        case .int64:
            let v: [Int64?] = [1, n ? nil : 2, -3, .max]
            return (.int64(v), v.map { $0.map(CellValue.int64) ?? .null })
        case .double:
            let v: [Double?] = [1.5, n ? nil : -0.25, 1e300]
            return (.double(v), v.map { $0.map(CellValue.double) ?? .null })
        case .bool:
            let v: [Bool?] = [true, n ? nil : false, false]
            return (.bool(v), v.map { $0.map(CellValue.bool) ?? .null })
        case .decimal(let scale):
            let v: [Int64?] = [1850, n ? nil : -1, 0]
            return (.decimal(units: v, scale: scale), v.map { $0.map { .decimal(ScaledDecimal(units: $0, scale: scale)) } ?? .null })
        case .timestamp:
            let v: [Timestamp?] = [Timestamp(microsecondsSinceEpoch: 0), n ? nil : Timestamp("2025-03-01T12:00:00Z")!]
            return (.timestamp(v), v.map { $0.map(CellValue.timestamp) ?? .null })
        case .date:
            let v: [CivilDate?] = [n ? nil : CivilDate(year: 2024, month: 2, day: 29)!, CivilDate(daysSinceEpoch: -1)]
            return (.date(v), v.map { $0.map(CellValue.date) ?? .null })
        case .string:
            let v: [String?] = ["a", n ? nil : "", "Très bien 👍", "a"]
            return (try .string(v), v.map { $0.map(CellValue.string) ?? .null })
        }
    }

    static let kinds: [ColumnKind] = [.int64, .double, .bool, .decimal(scale: 2), .timestamp, .date, .string]
}

@Suite struct ColumnTests {
    @Test(arguments: KindSamples.kinds, [false, true])
    func everyKindHoldsItsValues(kind: ColumnKind, withNulls: Bool) throws {
        let (column, expected) = try KindSamples.column(kind, withNulls: withNulls)
        #expect(column.kind == kind)
        #expect(column.count == expected.count)
        #expect(column.nullCount == expected.filter(\.isNull).count)
        #expect(column.nullCount == (withNulls ? 1 : 0))
        for row in expected.indices {
            #expect(column[row] == expected[row])
            #expect(column.isNull(row) == expected[row].isNull)
        }
        #expect(column._invariantViolations().isEmpty)
    }

    @Test func typedViewsMatchCells() throws {
        let ints = Column.int64([5, nil, 7])
        let view = try #require(ints.int64Values)
        #expect(Array(view) == [5, nil, 7])
        #expect(view.nullCount == 1)
        #expect(Array(view.values) == [5, 0, 7])  // null slots hold zero
        #expect(ints.doubleValues == nil)  // wrong kind: no view
        let money = Column.decimal(units: [1850, nil], scale: 2)
        #expect(Array(try #require(money.decimalValues)) == [ScaledDecimal("18.50"), nil])
    }

    @Test func dictionaryLayoutStoresEachValueOnce() throws {
        let regions = try Column.string(["EU", "NA", nil, "EU", "EU"], layout: .dictionary)
        let view = try #require(regions.stringValues)
        #expect(view.layout == .dictionary)
        #expect(Array(view) == ["EU", "NA", nil, "EU", "EU"])
        let dictionary = try #require(view.dictionary)
        #expect(dictionary.values.count == 2)
        #expect(Array(dictionary.codes.values) == [0, 1, 0, 0, 0])
        #expect(regions == (try Column.string(["EU", "NA", nil, "EU", "EU"], layout: .plain)))
    }

    @Test func dictionaryFromCodesEqualsTheSameValuesInterned() throws {
        let column = try Column.string(codes: [2, 0, 0, 1, 2], dictionary: ["detractor", "none", "promoter", "unused"])
        let view = try #require(column.stringValues)
        #expect(view.layout == .dictionary)
        #expect(Array(view) == ["promoter", "detractor", "detractor", "none", "promoter"])
        #expect(column == (try Column.string(["promoter", "detractor", "detractor", "none", "promoter"], layout: .plain)))
        #expect(column.nullCount == 0)
    }

    @Test func nullAndEmptyStringStayDistinct() throws {
        let column = try Column.string(["", nil])
        #expect(column[0] == .string(""))
        #expect(column[1] == .null)
        #expect(column != (try Column.string([nil, nil])))
    }

    @Test func allNullColumns() {
        for kind in KindSamples.kinds {
            let column = Column.nulls(of: kind, count: 70)
            #expect(column.kind == kind && column.nullCount == 70 && column.count == 70)
            #expect(column._invariantViolations().isEmpty)
        }
    }

    @Test func decimalsFromValuesRescaleExactlyOrThrow() throws {
        let column = try Column.decimal([ScaledDecimal("1.5"), nil, ScaledDecimal("2")], scale: 2)
        #expect(Array(try #require(column.decimalValues).units.values) == [150, 0, 200])
        #expect(throws: TableError.valueNotRepresentable(column: nil, row: 1, reason: "1.005 does not fit decimal(2) exactly")) {
            try Column.decimal([ScaledDecimal("1"), ScaledDecimal("1.005")], scale: 2)
        }
    }

    @Test func nanEqualsNanInColumns() {
        #expect(Column.double([.nan, 1]) == Column.double([.nan, 1]))
        #expect(Column.double([.nan]) != Column.double([1]))
    }

    @Test func equalityNeedsSameKindAndNulls() {
        #expect(Column.int64([1, 2]) != Column.decimal(units: [1, 2], scale: 0))
        #expect(Column.int64([1, nil]) != Column.int64([1, 0]))
        #expect(Column.decimal(units: [1], scale: 1) != Column.decimal(units: [1], scale: 2))
    }
}

@Suite struct DictionaryBytesTests {
    /// Swift strings compare canonically; a dictionary column must still keep both spellings.
    @Test func composedAndDecomposedTextStayDistinct() throws {
        let values = ["Jos\u{E9}", "Jose\u{301}"]
        let column = try Column.string(values, layout: .dictionary)
        #expect(column.stringValues?.dictionary?.values.count == 2)
        #expect((0..<2).map { Array(column.stringValues![$0]!.utf8) } == values.map { Array($0.utf8) })
    }
}
