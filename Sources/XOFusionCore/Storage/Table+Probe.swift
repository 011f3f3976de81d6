import struct Foundation.Date
import struct Foundation.Decimal

/// Discovers the stored properties of a `Decodable` row type and their kinds
/// without any value at hand, by letting the type decode itself from a
/// decoder that makes values up.
///
/// Encoding alone cannot see an optional property that is `nil` in every row
/// (`encodeIfPresent` writes nothing), so `Table(rows:)` would silently drop
/// that column. For row types that are also `Decodable`, the probe finds it.
enum _RowProbe {
    /// The properties in decoding order, each with its kind when the probe
    /// could tell it (`nil` for a type it cannot make up a value for).
    /// Stops at the first non-optional property it cannot construct.
    static func fields<Row: Decodable>(of type: Row.Type) -> [(name: String, kind: ColumnKind?)] {
        // Pass 1: optionals read as nil, which lists every key up to the first
        // non-optional property the probe cannot make up.
        let listing = _ProbeDecoder(nonNilKey: nil)
        _ = try? Row(from: listing)
        var fields: [(name: String, kind: ColumnKind?)] = []
        for (name, kind) in listing.state.seen where !fields.contains(where: { $0.name == name }) {
            var kind = kind
            if kind == nil {
                // Pass 2, per optional key: read it as present to learn its type.
                let probe = _ProbeDecoder(nonNilKey: name)
                _ = try? Row(from: probe)
                kind = probe.state.seen.first(where: { $0.0 == name && $0.1 != nil })?.1
            }
            fields.append((name, kind))
        }
        return fields
    }

    /// The kind a Swift type maps to, and a made-up value of it.
    static func kindAndValue<T>(of type: T.Type) -> (ColumnKind, Any)? {
        switch type {
        case is Int.Type: (.int64, 0 as Int)
        case is Int8.Type: (.int64, 0 as Int8)
        case is Int16.Type: (.int64, 0 as Int16)
        case is Int32.Type: (.int64, 0 as Int32)
        case is Int64.Type: (.int64, 0 as Int64)
        case is UInt.Type: (.int64, 0 as UInt)
        case is UInt8.Type: (.int64, 0 as UInt8)
        case is UInt16.Type: (.int64, 0 as UInt16)
        case is UInt32.Type: (.int64, 0 as UInt32)
        case is UInt64.Type: (.int64, 0 as UInt64)
        case is Double.Type: (.double, 0 as Double)
        case is Float.Type: (.double, 0 as Float)
        case is Bool.Type: (.bool, false)
        case is String.Type: (.string, "")
        case is Date.Type: (.timestamp, Date(timeIntervalSince1970: 0))
        case is Timestamp.Type: (.timestamp, Timestamp(microsecondsSinceEpoch: 0))
        case is CivilDate.Type: (.date, CivilDate(daysSinceEpoch: 0))
        // An all-null decimal loses nothing at scale 0.
        case is ScaledDecimal.Type: (.decimal(scale: 0), ScaledDecimal(units: 0, scale: 0))
        case is Decimal.Type: (.decimal(scale: 0), Decimal(0))
        default: nil
        }
    }
}

final class _ProbeState {
    var seen: [(String, ColumnKind?)] = []
}

struct _ProbeDecoder: Decoder {
    let nonNilKey: String?
    let state = _ProbeState()
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(_ProbeContainer<Key>(decoder: self))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw TableError.cannotInferKind(column: "") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw TableError.cannotInferKind(column: "") }
}

struct _ProbeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _ProbeDecoder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }

    func decodeNil(forKey key: Key) throws -> Bool {
        if key.stringValue == decoder.nonNilKey { return false }
        decoder.state.seen.append((key.stringValue, nil))
        return true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if let (kind, value) = _RowProbe.kindAndValue(of: T.self) {
            decoder.state.seen.append((key.stringValue, kind))
            return value as! T
        }
        // A wrapper or string-backed enum: learn the primitive it decodes.
        let cell = _ProbeCell()
        do {
            let value = try T(from: cell)
            decoder.state.seen.append((key.stringValue, cell.kind))
            return value
        } catch {
            decoder.state.seen.append((key.stringValue, cell.kind))
            throw error
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw TableError.cannotInferKind(column: key.stringValue)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw TableError.cannotInferKind(column: key.stringValue)
    }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
}

/// A single value that records which primitive type is asked of it.
final class _ProbeCell: Decoder, SingleValueDecodingContainer {
    var kind: ColumnKind?
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw TableError.cannotInferKind(column: "") }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw TableError.cannotInferKind(column: "") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let (kind, value) = _RowProbe.kindAndValue(of: T.self) else { return try T(from: self) }
        self.kind = kind
        return value as! T
    }
}
