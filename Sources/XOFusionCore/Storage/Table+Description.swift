extension Table: CustomStringConvertible {
    /// The first 10 rows as an aligned text table, kinds under the names.
    public var description: String { formatted(maxRows: 10) }

    /// The first `maxRows` rows as an aligned text table with a header of names
    /// and kinds, and a footer with the size. Numbers are right-aligned; long
    /// text is cut to `maxWidth` characters with `…`; line breaks show as `⏎`.
    ///
    /// ```
    /// customer_id  nps    amount
    /// string       int64  decimal(2)
    /// ───────────  ─────  ──────────
    /// C1               9       18.50
    /// C2            null        9.99
    /// (2 rows × 3 columns)
    /// ```
    ///
    /// - Complexity: O(`maxRows` × columns).
    public func formatted(maxRows: Int = 10, maxWidth: Int = 40) -> String {
        let shown = min(max(0, maxRows), rowCount)
        var cells: [[String]] = [schema.names, schema.map { $0.kind.description }]
        for row in 0..<shown {
            cells.append(columns.map { Table.display($0[row], maxWidth: maxWidth) })
        }
        let widths = (0..<columnCount).map { c in cells.map { $0[c].displayWidth }.max() ?? 0 }
        let rightAligned = columns.map { $0.kind.isNumeric }
        var lines: [String] = []
        func render(_ row: [String], header: Bool) -> String {
            row.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - row[c].displayWidth)
                return (rightAligned[c] && !header) ? pad + row[c] : row[c] + pad
            }.joined(separator: "  ")
        }
        lines.append(render(cells[0], header: true))
        lines.append(render(cells[1], header: true))
        lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        for row in cells.dropFirst(2) { lines.append(render(row, header: false)) }
        let size = "(\(rowCount) row\(rowCount == 1 ? "" : "s") × \(columnCount) column\(columnCount == 1 ? "" : "s")"
        lines.append(shown < rowCount ? "\(size), first \(shown) shown)" : size + ")")
        return lines.map { $0.trailingSpacesRemoved }.joined(separator: "\n")
    }

    static func display(_ value: CellValue, maxWidth: Int) -> String {
        var text = value.description
        text = text.replacingLineBreaks()
        if text.displayWidth > maxWidth {
            var cut = "", width = 0
            for character in text {
                let w = character.displayWidth
                if width + w > maxWidth - 1 { break }
                cut.append(character)
                width += w
            }
            text = cut + "…"
        }
        return text
    }
}

extension Character {
    /// Terminal columns the character takes: 2 for East Asian wide characters
    /// and emoji, 0 for a lone combining mark, otherwise 1. An estimate that
    /// keeps text tables aligned in common terminals.
    fileprivate var displayWidth: Int {
        guard let scalar = unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x1100 { return scalar.properties.generalCategory == .nonspacingMark ? 0 : 1 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }
}

extension String {
    fileprivate var displayWidth: Int { reduce(0) { $0 + $1.displayWidth } }

    fileprivate var trailingSpacesRemoved: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    fileprivate func replacingLineBreaks() -> String {
        guard contains(where: { $0.isNewline || $0 == "\t" }) else { return self }
        return String(map { $0.isNewline ? "⏎" : ($0 == "\t" ? "→" : $0) })
    }
}
