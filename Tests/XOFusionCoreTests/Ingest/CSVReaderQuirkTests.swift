import Testing
@testable import XOFusionCore

/// Reads text with the given options, checking the invariant every read keeps.
func readCSV(_ text: String, _ options: CSVReadOptions = CSVReadOptions(), name: String = "t.csv") throws -> CSVReadResult {
    let result = try CSVReader.read(string: text, name: name, options: options)
    #expect(result.report.records == result.report.rows + result.report.rejected, "records = rows + rejects")
    #expect(result.report.rows == result.table.rowCount)
    #expect(result.rejects.count == result.report.rejected)
    #expect(result.table._invariantViolations().isEmpty)
    return result
}

func collecting(_ options: CSVReadOptions = CSVReadOptions()) -> CSVReadOptions {
    var options = options
    options.policy = .collect()
    return options
}

@Suite struct CSVReaderQuirkTests {
    @Test func rfc4180QuotingWithEscapes() throws {
        let result = try readCSV("id,text\n1,\"say \"\"hi\"\"\"\n2,\"a,b\"\n")
        #expect(result.table == (try Table(["id": .int64([1, 2]), "text": try .string(["say \"hi\"", "a,b"])])))
    }

    @Test func quotedAndUnquotedValuesMixedInOneColumn() throws {
        let result = try readCSV("id,amount,name\n1,\"18.50\",plain\n2,3.25,\"quoted\"\n\"3\",1.00,\"\"\n")
        let expected = try Table([
            "id": .int64([1, 2, 3]), "amount": .decimal(units: [1850, 325, 100], scale: 2), "name": try .string(["plain", "quoted", ""]),
        ])
        #expect(result.table == expected)
    }

    @Test(arguments: ["\n", "\r", "\r\n"])
    func recordEndsLfCrCrlfAlsoInsideQuotes(end: String) throws {
        let text = "id,note" + end + "1,\"two" + end + "lines\"" + end + "2,x" + end
        let result = try readCSV(text)
        #expect(result.table == (try Table(["id": .int64([1, 2]), "note": try .string(["two" + end + "lines", "x"])])))
    }

    @Test func lineNumbersCountQuotedLineBreaks() throws {
        let result = try readCSV("id,note\n1,\"a\nb\nc\"\n3\n", collecting())
        #expect(result.rejects.map(\.line) == [5])
        #expect(result.rejects.first?.byte == 18)
        #expect(result.rejects.first?.kind == .fieldCount)
    }

    @Test func utf8BomIsSkipped() throws {
        let result = try readCSV("\u{FEFF}id,name\n1,a\n")
        #expect(result.table.schema.names == ["id", "name"])
        #expect(result.report.bytes == 15)  // 3 BOM bytes + 8 + 4
    }

    @Test func noFinalNewline() throws {
        let result = try readCSV("a,b\n1,2\n3,4")
        #expect(result.table == (try Table(["a": .int64([1, 3]), "b": .int64([2, 4])])))
    }

    @Test func blankTrailingLinesAreSkippedAndCounted() throws {
        let result = try readCSV("a,b\n1,2\n\n\r\n\n")
        #expect(result.table.rowCount == 1)
        #expect(result.report.blankLines == 3)
        #expect(result.report.records == 1)
    }

    @Test func trailingDelimiterOnEveryLine() throws {
        let result = try readCSV("a,b,\n1,x,\n2,y,\n")
        let expected = try Table(["a": .int64([1, 2]), "b": try .string(["x", "y"]), "column_2": try .string([nil, nil])])
        #expect(result.table == expected)
        #expect(result.report.renamedHeaders.map(\.to) == ["column_2"])
    }

    @Test(arguments: [",", ";", "\t", "|"])
    func delimiters(delimiter: String) throws {
        let d = delimiter
        let text = "id\(d)name\(d)score\n1\(d)\"a\(d)b\"\(d)9\n2\(d)c\(d)\n"
        let result = try readCSV(text, CSVReadOptions(delimiter: Character(d)))
        #expect(result.table == (try Table(["id": .int64([1, 2]), "name": try .string(["a\(d)b", "c"]), "score": .int64([9, nil])])))
    }

    @Test func qualtricsThreeHeaderRows() throws {
        let text = """
            ResponseId,Q1,Q2_1
            Response ID,"How likely are you to recommend us?
            (0 = not at all)","Wie zufrieden sind Sie? – Lieferung"
            "{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_1""}"
            R_1,9,4
            R_2,3,

            """
        let result = try readCSV(text, CSVReadOptions(headerRows: 3, nameRow: 1))
        #expect(result.table == (try Table(["ResponseId": try .string(["R_1", "R_2"]), "Q1": .int64([9, 3]), "Q2_1": .int64([4, nil])])))
    }

    @Test func legacyQualtricsTwoHeaderRowsNamedBySecond() throws {
        let text = "V1,V2\nResponseID,Score\nR_1,10\n"
        let result = try readCSV(text, CSVReadOptions(headerRows: 2, nameRow: 2))
        #expect(result.table.schema.names == ["ResponseID", "Score"])
        #expect(Array(try result.table.int64("Score")) == [10])
    }

    @Test func noHeaderRows() throws {
        let result = try readCSV("1,a\n2,b\n", CSVReadOptions(headerRows: 0))
        #expect(result.table.schema.names == ["column_0", "column_1"])
        #expect(result.table.rowCount == 2)
    }

    @Test func duplicateHeaderNamesAreMadeUnique() throws {
        let result = try readCSV("a,a,,a\n1,2,3,4\n")
        #expect(result.table.schema.names == ["a", "a_2", "column_2", "a_3"])
    }

    @Test func nullsOnlyEmptyUnquotedByDefault() throws {
        let result = try readCSV("id,comment\n1,\n2,\"\"\n3,N/A\n4,NULL\n")
        #expect(Array(try result.table.string("comment")) == [nil, "", "N/A", "NULL"])
    }

    @Test func nullTokensAreOptInAndUnquotedOnly() throws {
        let result = try readCSV("id,comment\n1,NA\n2,\"NA\"\n3,NULL\n", CSVReadOptions(nullTokens: ["NA", "NULL"]))
        #expect(Array(try result.table.string("comment")) == [nil, "NA", nil])
        let numbers = try readCSV("x\n1\nNA\n", CSVReadOptions(nullTokens: ["NA"]))
        #expect(Array(try numbers.table.int64("x")) == [1, nil])
    }

    @Test func textInAnyScriptSurvivesByteForByte() throws {
        let values = ["Très bien 👍", "配送が速い", "Ünïcödé", "👨‍👩‍👧", "مرحبا", "e\u{301}"]
        let text = "c\n" + values.joined(separator: "\n") + "\n"
        let result = try readCSV(text)
        let read = Array(try result.table.string("c")).map { $0! }
        #expect(read.map { Array($0.utf8) } == values.map { Array($0.utf8) })
    }

    @Test func aQuoteInsideAnUnquotedFieldIsText() throws {
        let result = try readCSV("id,item\n1,5\" screen\n")
        #expect(Array(try result.table.string("item")) == ["5\" screen"])
    }

    @Test func emptyFileAndHeaderOnly() throws {
        #expect(throws: IngestError.badHeader(file: "t.csv", reason: "the file is empty; expected 1 header row(s)")) { try readCSV("") }
        let headerOnly = try readCSV("a,b\n")
        #expect(headerOnly.table.rowCount == 0 && headerOnly.table.schema.names == ["a", "b"])
        #expect(headerOnly.table.schema.map(\.kind) == [.string, .string])
        let noHeaderNoData = try readCSV("", CSVReadOptions(headerRows: 0))
        #expect(noHeaderNoData.table.columnCount == 0)
    }
}
