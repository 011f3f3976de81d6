import Foundation
import Testing
@testable import XOFusionCore

@Suite struct InspectDocumentTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The golden file pins the JSON shape of `xofusion inspect --json`. To
    /// change the shape on purpose, bump `InspectDocument.version` and rewrite the file.
    @Test func jsonShapeMatchesTheGoldenFile() throws {
        let path = InspectDocumentTests.fixtures.appendingPathComponent("inspect-sample.csv").path
        let result = try CSVReader.read(file: path, options: CSVReadOptions(policy: .collect()))
        var json = InspectDocument.json(for: result).serialized(pretty: true)
        json = json.replacingOccurrences(of: path, with: "inspect-sample.csv")
        let golden = try String(contentsOf: InspectDocumentTests.fixtures.appendingPathComponent("inspect-golden.json"), encoding: .utf8)
        #expect(json + "\n" == golden)
        // And it is JSON that a standard parser reads back.
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["rows"] as? Int == 4)
        #expect((parsed?["rejects"] as? [[String: Any]])?.first?["column"] is NSNull)
    }

    @Test func stringsAreEscaped() {
        let value = JSONValue.object([("k\"", .string("a\"b\\c\nd\u{01}é👍")), ("n", .double(.nan)), ("e", .array([]))])
        #expect(value.serialized() == #"{"k\"":"a\"b\\c\nd\u0001é👍","n":null,"e":[]}"#)
    }

    @Test func rejectsAreCappedButCounted() throws {
        var text = "a,b\n"
        for _ in 0..<1005 { text += "1\n" }
        let result = try CSVReader.read(string: text, options: CSVReadOptions(policy: .collect()))
        guard case .object(let pairs) = InspectDocument.json(for: result) else { Issue.record("not an object"); return }
        let dictionary = Dictionary(uniqueKeysWithValues: pairs)
        #expect(dictionary["rejected"] == .int(1005))
        guard case .array(let rejects)? = dictionary["rejects"] else { Issue.record("no rejects"); return }
        #expect(rejects.count == 1000)
        #expect(pairs.map(\.0) == ["version", "file", "rows", "rejected", "columns", "rejects"])
    }
}
