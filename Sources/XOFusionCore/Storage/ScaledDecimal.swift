import struct Foundation.Decimal

/// An exact decimal number: an `Int64` count of `10^-scale` units.
/// `ScaledDecimal(units: 1850, scale: 2)` is 18.50. The value of a
/// `decimal(S)` column; money stays exact because no `Double` is involved.
///
/// Equality and ordering are numeric: 1.5 == 1.50.
public struct ScaledDecimal: Hashable, Comparable, Sendable, CustomStringConvertible,
    LosslessStringConvertible
{
    /// The value in units of `10^-scale`.
    public var units: Int64
    /// Digits after the decimal point, `0...18`.
    public var scale: Int

    /// `units × 10^-scale`.
    public init(units: Int64, scale: Int) {
        precondition((0...ColumnKind.maximumDecimalScale).contains(scale), "decimal scale must be 0...18")
        self.units = units
        self.scale = scale
    }

    /// Parses plain decimal text exactly: an optional sign, digits, an optional
    /// point and fraction digits (`18.50`, `-0.857`, `42`). The scale is the
    /// number of fraction digits. `nil` for anything else (`5.`, `1e5`) or on overflow.
    public init?(_ text: String) {
        var utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return nil }
        var negative = false
        if utf8[0] == UInt8(ascii: "-") || utf8[0] == UInt8(ascii: "+") {
            negative = utf8[0] == UInt8(ascii: "-")
            utf8.removeFirst()
        }
        var units: Int64 = 0
        var scale = 0
        var sawPoint = false
        var digitCount = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                if sawPoint { return nil }
                sawPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = units.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            units = sum
            digitCount += 1
            if sawPoint { scale += 1 }
        }
        // A point must have digits after it (`5.` is not a decimal here; CSV reading agrees).
        guard digitCount > 0, scale <= ColumnKind.maximumDecimalScale, !(sawPoint && scale == 0) else { return nil }
        self.init(units: negative ? -units : units, scale: scale)
    }

    /// The same number at another scale, or `nil` if digits would be lost or the
    /// units overflow `Int64`.
    public func rescaled(to newScale: Int) -> ScaledDecimal? {
        guard (0...ColumnKind.maximumDecimalScale).contains(newScale) else { return nil }
        if newScale == scale { return self }
        if newScale > scale {
            let (value, overflow) = units.multipliedReportingOverflow(by: ScaledDecimal.powerOf10(newScale - scale))
            return overflow ? nil : ScaledDecimal(units: value, scale: newScale)
        }
        let divisor = ScaledDecimal.powerOf10(scale - newScale)
        guard units % divisor == 0 else { return nil }
        return ScaledDecimal(units: units / divisor, scale: newScale)
    }

    /// The nearest `Double` (for statistics; the decimal itself stays exact).
    public var doubleValue: Double { Double(units) / Double(ScaledDecimal.powerOf10(scale)) }

    /// The exact value as a Foundation `Decimal`.
    public var decimalValue: Decimal {
        Decimal(sign: units < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(units.magnitude))
    }

    /// `18.50`, `-0.857`, `42`: exactly `scale` fraction digits.
    public var description: String {
        let magnitude = units.magnitude
        let divisor = UInt64(ScaledDecimal.powerOf10(scale))
        var text = units < 0 ? "-" : ""
        text += String(magnitude / divisor)
        if scale > 0 { text += "." + ScaledDecimal.zeroPadded(magnitude % divisor, scale) }
        return text
    }

    public static func == (a: ScaledDecimal, b: ScaledDecimal) -> Bool { a.compared(to: b) == 0 }

    public static func < (a: ScaledDecimal, b: ScaledDecimal) -> Bool { a.compared(to: b) < 0 }

    public func hash(into hasher: inout Hasher) {
        // Hash the value with trailing zero digits removed, so that equal numbers hash alike.
        var u = units, s = scale
        while s > 0 && u % 10 == 0 { u /= 10; s -= 1 }
        hasher.combine(u)
        hasher.combine(s)
    }

    private func compared(to other: ScaledDecimal) -> Int {
        let common = max(scale, other.scale)
        let a = Int128(units) * Int128(ScaledDecimal.powerOf10(common - scale))
        let b = Int128(other.units) * Int128(ScaledDecimal.powerOf10(common - other.scale))
        return a < b ? -1 : (a == b ? 0 : 1)
    }

    /// 10^exponent for exponent in 0...18.
    @inlinable
    public static func powerOf10(_ exponent: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result &*= 10 }
        return result
    }

    static func zeroPadded(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
