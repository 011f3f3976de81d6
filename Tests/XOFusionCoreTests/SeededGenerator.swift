import XOFusionCore

/// A small deterministic generator (SplitMix64) so that random tests repeat exactly per seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random values of every kind, including the awkward ones.
enum RandomValues {
    static let awkwardStrings = ["", " ", "a,b", "say \"hi\"", "line\nbreak", "cr\r\nlf", "Très bien 👍", "配送が速い", "N/A", "null", "x"]

    static func optional<T>(_ value: T, nullRate: Double, _ g: inout SeededGenerator) -> T? {
        Double.random(in: 0..<1, using: &g) < nullRate ? nil : value
    }

    static func string(_ g: inout SeededGenerator) -> String {
        if Bool.random(using: &g) { return awkwardStrings.randomElement(using: &g)! }
        let length = Int.random(in: 0...12, using: &g)
        return String((0..<length).map { _ in "abcXYZ09 ,\"é😀\n".randomElement(using: &g)! })
    }

    static func timestamp(_ g: inout SeededGenerator) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: Int64.random(in: -2_000_000_000_000_000...4_000_000_000_000_000, using: &g))
    }

    static func date(_ g: inout SeededGenerator) -> CivilDate {
        CivilDate(daysSinceEpoch: Int32.random(in: -700_000...2_900_000, using: &g))
    }
}
