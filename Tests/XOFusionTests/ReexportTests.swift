import Testing
import XOFusion

/// A service imports only `XOFusion`; the engine's types must come with it.
@Test func engineTypesAreReexported() throws {
    let table = try Table(["nps": .int64([9, 3])])
    #expect(try table.int64("nps")[1] == 3)
}
