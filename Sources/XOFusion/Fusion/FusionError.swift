/// A fusion or an analysis that cannot be carried out. Every case names the
/// role, the column and the reason; none is a trap.
public enum FusionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An analysis or a mapping needs a table for a role that was not given.
    case missingRole(FusionRole, neededBy: String)
    /// A column the mapping names (or a required column with no default name present) is not in the role's table.
    case missingColumn(role: FusionRole, field: String, column: String?, suggestions: [String])
    /// A column of the wrong kind: a score that is not numeric, a time that is not a time.
    case wrongKind(role: FusionRole, column: String, kind: ColumnKind, expected: String)
    /// A score outside its scale: bad input, never clamped.
    case outOfScale(role: FusionRole, column: String, row: Int, value: String, scale: String)
    /// A customers row without an ID.
    case nullCustomerID(role: FusionRole, column: String, row: Int)
    /// Customer IDs that repeat in the customers table (after normalisation).
    case duplicateCustomers(column: String, examples: [String], count: Int)
    /// An option with a value that cannot work (a negative tolerance, an empty band list).
    case badOption(String)
    /// A kernel refused the request.
    case kernel(KernelError)
    /// A table could not be built.
    case table(TableError)

    public var description: String {
        switch self {
        case .missingRole(let role, let neededBy):
            return "\(neededBy) needs a table for the role '\(role.rawValue)', and none was given"
        case .missingColumn(let role, let field, let column, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?"
            if let column { return "the \(role.rawValue) table has no column '\(column)' (mapped as its \(field))\(hint)" }
            return "the \(role.rawValue) table needs a \(field) column, and none of the usual names is present; name it in the mapping\(hint)"
        case .wrongKind(let role, let column, let kind, let expected):
            return "column '\(column)' of the \(role.rawValue) table is \(kind); it must be \(expected)"
        case .outOfScale(let role, let column, let row, let value, let scale):
            return "column '\(column)' of the \(role.rawValue) table, row \(row): \(value) is outside the scale \(scale)"
        case .nullCustomerID(let role, let column, let row):
            return "row \(row) of the \(role.rawValue) table has no customer ID in '\(column)'"
        case .duplicateCustomers(let column, let examples, let count):
            return "the customers table repeats \(count) customer ID(s) in '\(column)': \(examples.map { "'\($0)'" }.joined(separator: ", "))"
        case .badOption(let reason):
            return reason
        case .kernel(let error):
            return error.description
        case .table(let error):
            return error.description
        }
    }
}

/// The part a table plays in a fusion.
public enum FusionRole: String, Hashable, Sendable, CaseIterable {
    /// Survey answers and reviews (X-data).
    case answers
    /// One row per customer.
    case customers
    /// Orders (O-data).
    case orders
    /// Return rows, each naming an order.
    case returns
    /// Abandoned carts.
    case carts
    /// Support tickets.
    case tickets
}

extension FusionError {
    /// Runs a kernel or table call and wraps its typed error.
    static func wrap<T>(_ body: () throws -> T) throws(FusionError) -> T {
        do { return try body() } catch let error as FusionError { throw error } catch let error as KernelError { throw .kernel(error) } catch let error as TableError {
            throw .table(error)
        } catch { throw .badOption("\(error)") }
    }
}
