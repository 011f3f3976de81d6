/// The names and kinds of a table's columns, in order.
public struct Schema: Hashable, Sendable, CustomStringConvertible, RandomAccessCollection {
    /// One column's name and kind.
    public struct Field: Hashable, Sendable, CustomStringConvertible {
        /// The column's name, unique within its schema.
        public var name: String
        /// The column's kind.
        public var kind: ColumnKind

        /// A field named `name` of kind `kind`.
        public init(_ name: String, _ kind: ColumnKind) {
            self.name = name
            self.kind = kind
        }

        /// `name: kind`.
        public var description: String { "\(name): \(kind)" }
    }

    /// The fields in column order.
    public let fields: [Field]
    private let indexByName: [String: Int]

    /// A schema of the given fields.
    ///
    /// - Throws: ``TableError/duplicateColumnName(_:)`` or ``TableError/emptyColumnName(index:)``.
    /// - Complexity: O(n).
    public init(_ fields: [Field]) throws(TableError) {
        var indexByName: [String: Int] = [:]
        for (i, field) in fields.enumerated() {
            guard !field.name.isEmpty else { throw .emptyColumnName(index: i) }
            guard indexByName.updateValue(i, forKey: field.name) == nil else { throw .duplicateColumnName(field.name) }
        }
        self.fields = fields
        self.indexByName = indexByName
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { fields.count }
    public subscript(position: Int) -> Field { fields[position] }

    /// The column names in order.
    public var names: [String] { fields.map(\.name) }

    /// The position of the column named `name`, or `nil`.
    ///
    /// - Complexity: O(1) on average.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The position of the column named `name`.
    ///
    /// - Throws: ``TableError/unknownColumn(_:suggestions:)`` with the nearest names.
    public func requireIndex(of name: String) throws(TableError) -> Int {
        guard let index = indexByName[name] else {
            throw .unknownColumn(name, suggestions: NameSuggestions.nearest(to: name, in: names))
        }
        return index
    }

    /// `(name: kind, …)`.
    public var description: String { "(" + fields.map(\.description).joined(separator: ", ") + ")" }

    public static func == (a: Schema, b: Schema) -> Bool { a.fields == b.fields }
    public func hash(into hasher: inout Hasher) { hasher.combine(fields) }
}
