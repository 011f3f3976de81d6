import struct Foundation.Date

/// An instant in time: microseconds since 1970-01-01T00:00:00Z. The value of a
/// `timestamp` column; always UTC, with no time zone attached.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible, BitwiseCopyable {
    /// Microseconds since the Unix epoch (negative before it).
    public var microsecondsSinceEpoch: Int64

    /// Microseconds in one second, minute, hour and day.
    public static let microsecondsPerSecond: Int64 = 1_000_000
    /// Microseconds in one day (86,400 s).
    public static let microsecondsPerDay: Int64 = 86_400_000_000

    /// The instant `microsecondsSinceEpoch` µs after the epoch.
    @inlinable
    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }

    /// The instant at a UTC calendar date and time; `nil` for an invalid date or time.
    public init?(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
        microsecond: Int = 0
    ) {
        guard let date = CivilDate(year: year, month: month, day: day),
            (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second),
            (0..<1_000_000).contains(microsecond)
        else { return nil }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        microsecondsSinceEpoch = seconds * Timestamp.microsecondsPerSecond + Int64(microsecond)
    }

    /// The instant of a Foundation `Date`, truncated toward negative infinity to whole microseconds.
    public init(_ date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded(.down)
        microsecondsSinceEpoch = Int64(exactly: micros) ?? (micros < 0 ? .min : .max)
    }

    /// The same instant as a Foundation `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000)
    }

    /// The UTC calendar date of this instant.
    public var civilDate: CivilDate {
        CivilDate(daysSinceEpoch: Int32(Timestamp.floorDiv(microsecondsSinceEpoch, Timestamp.microsecondsPerDay)))
    }

    /// ISO 8601 in UTC: `2025-03-01T12:00:00Z`, with six fractional digits when
    /// the instant is not a whole second.
    public var description: String {
        let micros = microsecondsSinceEpoch
        let secondOfDay = Timestamp.floorMod(micros, Timestamp.microsecondsPerDay) / 1_000_000
        let fraction = Timestamp.floorMod(micros, 1_000_000)
        let h = Int(secondOfDay / 3600), m = Int(secondOfDay / 60 % 60), s = Int(secondOfDay % 60)
        var text = "\(civilDate)T\(CivilDate.pad(h, 2)):\(CivilDate.pad(m, 2)):\(CivilDate.pad(s, 2))"
        if fraction != 0 { text += "." + CivilDate.pad(Int(fraction), 6) }
        return text + "Z"
    }

    @inlinable
    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.microsecondsSinceEpoch < b.microsecondsSinceEpoch
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}
