extension Column {
    /// Broken invariants, described; empty when the column is sound.
    ///
    /// - Complexity: O(storage size).
    func _invariantViolations() -> [String] {
        var problems: [String] = []
        let storageCount: Int
        switch storage {
        case .int64(let v), .decimal(let v, _): storageCount = v.count
        case .smallInt64(let v): storageCount = v.count
        case .double(let v): storageCount = v.count
        case .bool(let v): storageCount = v.count
        case .timestamp(let v): storageCount = v.count
        case .date(let v): storageCount = v.count
        case .plainString(let buffer):
            storageCount = buffer.count
            problems += buffer._invariantViolations()
        case .numberedString(let numbers, let pattern):
            storageCount = numbers.count
            let largest = pattern.largestNumber
            for slot in max(0, offset)..<min(numbers.count, max(0, offset + count)) where Int64(numbers[slot]) > min(largest, IDPattern.largestStoredNumber) {
                if validity?[slot] ?? true {
                    problems.append("number \(numbers[slot]) at slot \(slot) does not fit \(pattern.digits) digits")
                    break
                }
            }
        case .dictionaryString(let codes, let dictionary):
            storageCount = codes.count
            problems += dictionary._invariantViolations()
            // Only the column's own valid slots must index the dictionary; null slots may hold anything.
            let rows = max(0, offset)..<min(codes.count, max(0, offset + count))
            if let bad = rows.first(where: { Int(codes[$0]) >= dictionary.count && (validity?[$0] ?? true) }) {
                problems.append("dictionary code \(codes[bad]) at slot \(bad) ≥ dictionary size \(dictionary.count)")
            }
        }
        if case .decimal(_, let scale) = storage, !(0...ColumnKind.maximumDecimalScale).contains(scale) {
            problems.append("decimal scale \(scale) outside 0...18")
        }
        if offset < 0 || count < 0 || offset + count > storageCount {
            problems.append("rows \(offset)..<\(offset + count) exceed storage of \(storageCount)")
        }
        if let validity {
            if validity.count != storageCount {
                problems.append("validity has \(validity.count) bits for \(storageCount) slots")
            } else if offset >= 0, offset + count <= storageCount,
                count - validity.countSetBits(in: offset..<(offset + count)) != nullCount
            {
                problems.append("cached null count \(nullCount) disagrees with the bitmap")
            }
        } else if nullCount != 0 {
            problems.append("null count \(nullCount) without a validity bitmap")
        }
        return problems
    }

    #if DEBUG
        /// Traps in debug builds when an invariant is broken; compiled out in release.
        func _checkInvariants() {
            let problems = _invariantViolations()
            precondition(problems.isEmpty, "Column invariants broken: \(problems.joined(separator: "; "))")
        }
    #endif
}

extension Table {
    /// Broken invariants, described; empty when the table is sound.
    ///
    /// - Complexity: O(total storage size).
    func _invariantViolations() -> [String] {
        var problems: [String] = []
        if schema.count != columns.count {
            problems.append("schema has \(schema.count) fields for \(columns.count) columns")
        }
        for (field, column) in zip(schema.fields, columns) {
            if field.kind != column.kind { problems.append("column '\(field.name)' is \(column.kind), schema says \(field.kind)") }
            if column.count != rowCount { problems.append("column '\(field.name)' has \(column.count) rows, table \(rowCount)") }
            problems += column._invariantViolations().map { "column '\(field.name)': \($0)" }
        }
        return problems
    }

    #if DEBUG
        /// Traps in debug builds when an invariant is broken; compiled out in release.
        func _checkInvariants() {
            let problems = _invariantViolations()
            precondition(problems.isEmpty, "Table invariants broken: \(problems.joined(separator: "; "))")
        }
    #endif
}
