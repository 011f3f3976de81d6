/// A calendar date without a time zone: days since 1970-01-01 in the proleptic
/// Gregorian calendar. The value of a `date` column.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int32

    /// The date `daysSinceEpoch` days after 1970-01-01.
    @inlinable
    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

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
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a valid year, month and day. No validation.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        // The common case, years 1900–2199, from tables: no divisions.
        let index = year &- 1900
        if index >= 0 && index < 300 {
            return yearStarts[index] &+ (isLeapYear(year) ? leapMonthStarts : monthStarts)[month &- 1] &+ day &- 1
        }
        return days(generalYear: year, month: month, day: day)
    }

    /// Days from 1970-01-01 to January 1 of 1900 + i, for i in 0..<300.
    private static let yearStarts: [Int] = (1900..<2200).map { days(generalYear: $0, month: 1, day: 1) }
    private static let monthStarts = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
    private static let leapMonthStarts = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335]

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
