/// A calendar date without a time zone: days since 1970-01-01 in the proleptic
/// Gregorian calendar. The value of a `date` column.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible, BitwiseCopyable {
    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int32

    /// The date `daysSinceEpoch` days after 1970-01-01.
    @inlinable
    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// The date's midnight (UTC) in microseconds since the epoch. A date beyond what 64-bit microseconds
    /// hold (about 292,000 years from 1970) becomes the nearest end of that range, with `lowest` as its low
    /// end (callers that keep `Int64.min` for null pass one above it): order is kept, never reversed by
    /// wrapping, though such dates tie with each other and with the extreme timestamps.
    @inline(__always)
    package func midnightMicroseconds(lowest: Int64 = .min) -> Int64 {
        let (micros, overflow) = Int64(daysSinceEpoch).multipliedReportingOverflow(by: 86_400_000_000)
        return overflow ? (daysSinceEpoch < 0 ? lowest : .max) : max(micros, lowest)
    }

    /// The date with the given year, month (1–12) and day; `nil` if there is
    /// no such date (such as February 30) or the year is outside 1…9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        daysSinceEpoch = Int32(CivilDate.days(year: year, month: month, day: day))
    }

    /// Year, month (1–12) and day (1–31).
    public var components: (year: Int, month: Int, day: Int) {
        CivilDate.civil(fromDays: Int(daysSinceEpoch))
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        return "\(CivilDate.pad(y, 4))-\(CivilDate.pad(m, 2))-\(CivilDate.pad(d, 2))"
    }

    @inlinable
    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    // MARK: Calendar arithmetic (Howard Hinnant's civil-from-days algorithms)

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int) -> Bool {
        // Divisible by 100 is divisible by 4 and 25; by 400, by 16 and 25 (no division for most years).
        year & 3 == 0 && (year % 25 != 0 || year & 15 == 0)
    }

    /// The number of days in `month` (1–12) of `year`.
    @inline(__always)
    public static func daysInMonth(year: Int, month: Int) -> Int {
        // 31 in odd months up to July and in even months from August on.
        month == 2 ? (isLeapYear(year) ? 29 : 28) : 30 &+ ((month ^ (month &>> 3)) & 1)
    }

    /// Days since 1970-01-01 of a valid year, month and day. No validation.
    @inline(__always)
    public static func days(year: Int, month: Int, day: Int) -> Int {
        guard year >= 1 else { return days(generalYear: year, month: month, day: day) }
        // Years from March 1 (so that a leap day ends its year); for years from 0 the eras of
        // the general formula fold into y/4 - y/100 + y/400, and unsigned division by a
        // constant is a multiplication: no tables, no branches.
        let march = month > 2
        let y = UInt(bitPattern: year) &- (march ? 0 : 1)
        let m = UInt(bitPattern: month) &+ (march ? 0 : 12) &- 3
        let dayOfYear = (153 &* m &+ 2) / 5 &+ UInt(bitPattern: day) &- 1
        let total = y &* 365 &+ y / 4 &- y / 100 &+ y / 400 &+ dayOfYear
        return Int(bitPattern: total) &- 719_468
    }

    /// The general formula, for any year.
    static func days(generalYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month and day of a count of days since 1970-01-01.
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
