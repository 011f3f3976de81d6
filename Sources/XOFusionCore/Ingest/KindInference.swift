/// Watches a column's values and picks the narrowest kind that holds all of
/// them: int64 → decimal(scale) → double → string; bool only for true/false;
/// timestamp or date only when every value parses; a number with a leading
/// zero (`01151`) keeps the column a string, since it is an identifier.
///
/// Inference widens and never rejects: a value that fits nothing narrower
/// makes the column a string.
struct KindInferrer {
    private(set) var nonNull = 0
    private var bool = true, date = true, timestamp = true
    private var int = true, decimal = true, double = true
    private var maxScale = 0
    private var leadingZero = false

    /// Whether every possibility but string is ruled out (nothing more to learn).
    var isSettledOnString: Bool { !bool && !date && !timestamp && (leadingZero || (!int && !decimal && !double)) }

    mutating func observe(_ p: UnsafePointer<UInt8>, _ n: Int, keepTabs: Bool) {
        nonNull += 1
        if isSettledOnString { return }
        let (p, n) = FieldParsers.trimmed(p, n, keepTabs: keepTabs)
        if bool && FieldParsers.bool(p, n, numeric: false) == nil { bool = false }
        if date && TemporalParsing.parseDate(UnsafeBufferPointer(start: p, count: n)) == nil { date = false }
        if timestamp && TemporalParsing.parseDateTime(UnsafeBufferPointer(start: p, count: n)) == nil { timestamp = false }
        if leadingZero { return }
        if int && FieldParsers.int64(p, n) == nil { int = false }
        if decimal {
            if let d = FieldParsers.decimal(p, n) { maxScale = max(maxScale, d.scale) } else { decimal = false }
        }
        if double && FieldParsers.double(p, n) == nil { double = false }
        if (int || decimal || double) && FieldParsers.hasLeadingZero(p, n) { leadingZero = true }
    }

    /// Rules out `kind` after a value failed to parse as it (a decimal whose
    /// units overflow at the column's scale, say), so the next guess is wider.
    mutating func exclude(_ kind: ColumnKind) {
        switch kind {
        case .bool: bool = false
        case .date: date = false
        case .timestamp: timestamp = false
        case .int64: int = false
        case .decimal: decimal = false
        case .double: double = false
        case .string: break
        }
    }

    /// The kind chosen from everything observed.
    var kind: ColumnKind {
        if nonNull == 0 { return .string }
        if bool { return .bool }
        if date { return .date }
        if timestamp { return .timestamp }
        if leadingZero { return .string }
        if int { return .int64 }
        // A value whose units overflow at the largest scale seen fails in the parse
        // pass, which then excludes decimal and widens to double.
        if decimal { return .decimal(scale: maxScale) }
        if double { return .double }
        return .string
    }
}
