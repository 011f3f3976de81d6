/// The five files of the X+O benchmark (`../shared/bench`), read with their
/// full schema: every column typed, scores validated against their scales,
/// IDs and comments as plain strings, low-cardinality text dictionary-encoded,
/// money as exact decimals.
public struct BenchDataset: Sendable {
    /// customers.csv: customer_id, signup_date, region, segment_tier.
    public var customers: Table
    /// surveys.csv: response_id, customer_id, responded_at, nps, csat, ces, sentiment, channel, comment.
    public var surveys: Table
    /// orders.csv: order_id, customer_id, ordered_at, amount, items, status.
    public var orders: Table
    /// returns.csv: return_id, order_id, customer_id, returned_at, amount, reason.
    public var returns: Table
    /// carts.csv: cart_id, customer_id (null for guests), abandoned_at, value, items.
    public var carts: Table

    /// The file names, in load order.
    public static let files = ["customers.csv", "surveys.csv", "orders.csv", "returns.csv", "carts.csv"]

    /// The schema of each file.
    public static func schema(of file: String) -> CSVSchema? {
        switch file {
        case "customers.csv":
            CSVSchema([
                ColumnSpec("customer_id", .string, required: true, layout: .numbered),
                ColumnSpec("signup_date", .date, required: true),
                ColumnSpec("region", .string, required: true, layout: .dictionary),
                ColumnSpec("segment_tier", .string, required: true, allowedValues: ["bronze", "silver", "gold"], layout: .dictionary),
            ])
        case "surveys.csv":
            CSVSchema([
                ColumnSpec("response_id", .string, required: true, layout: .numbered),
                ColumnSpec("customer_id", .string, required: true, layout: .numbered),
                ColumnSpec("responded_at", .timestamp, required: true),
                ColumnSpec("nps", .int64, allowedRange: 0...10),
                ColumnSpec("csat", .int64, allowedRange: 1...5),
                ColumnSpec("ces", .int64, allowedRange: 1...7),
                ColumnSpec("sentiment", .decimal(scale: 3), allowedRange: -1...1),
                ColumnSpec("channel", .string, layout: .dictionary),
                ColumnSpec("comment", .string, layout: .plain),
            ])
        case "orders.csv":
            CSVSchema([
                ColumnSpec("order_id", .string, required: true, layout: .numbered),
                ColumnSpec("customer_id", .string, required: true, layout: .numbered),
                ColumnSpec("ordered_at", .timestamp, required: true),
                ColumnSpec("amount", .decimal(scale: 2), required: true),
                ColumnSpec("items", .int64, allowedRange: 1...10),
                ColumnSpec("status", .string, required: true, allowedValues: ["completed", "cancelled"], layout: .dictionary),
            ])
        case "returns.csv":
            CSVSchema([
                ColumnSpec("return_id", .string, required: true, layout: .numbered),
                ColumnSpec("order_id", .string, required: true, layout: .numbered),
                ColumnSpec("customer_id", .string, required: true, layout: .numbered),
                ColumnSpec("returned_at", .timestamp, required: true),
                ColumnSpec("amount", .decimal(scale: 2), required: true),
                ColumnSpec("reason", .string, layout: .dictionary),
            ])
        case "carts.csv":
            CSVSchema([
                ColumnSpec("cart_id", .string, required: true, layout: .numbered),
                ColumnSpec("customer_id", .string, layout: .numbered),
                ColumnSpec("abandoned_at", .timestamp, required: true),
                ColumnSpec("value", .decimal(scale: 2), required: true),
                ColumnSpec("items", .int64, allowedRange: 1...10),
            ])
        default: nil
        }
    }

    /// The five files of `directory` in their fusion roles (surveys.csv: the answers).
    ///
    /// - Complexity: O(1).
    public static func fusionFiles(in directory: String) -> FusionFiles {
        FusionFiles(
            answers: directory + "/surveys.csv", customers: directory + "/customers.csv", orders: directory + "/orders.csv",
            returns: directory + "/returns.csv", carts: directory + "/carts.csv")
    }

    /// The map that reads each file with its schema (``schema(of:)``) and fuses them with the usual column names.
    ///
    /// - Complexity: O(1).
    public static var map: FusionMapFile {
        let files: [(FusionRole, String)] = [(.answers, "surveys.csv"), (.customers, "customers.csv"), (.orders, "orders.csv"), (.returns, "returns.csv"), (.carts, "carts.csv")]
        return FusionMapFile(csv: Dictionary(uniqueKeysWithValues: files.map { role, file in (role, CSVReadOptions(schema: schema(of: file))) }))
    }

    /// Reads the five files of `directory` at once, strictly, and fuses them (``Fusion/load(_:map:policy:options:)``):
    /// the bench's Q0. The fusion of the small files begins while the orders are still read.
    ///
    /// - Throws: ``FusionLoadError`` naming the file, line and column of the first problem.
    /// - Complexity: O(total file size).
    public static func loadFusion(from directory: String, options: KernelOptions = .default) throws(FusionLoadError) -> Fusion {
        try Fusion.load(fusionFiles(in: directory), map: map, options: options).fusion
    }

    /// ``loadFusion(from:options:)``, calling `whenReadsEnd` as soon as the last file is read.
    package static func loadFusion(from directory: String, options: KernelOptions, whenReadsEnd: () -> Void) throws(FusionLoadError) -> Fusion {
        try Fusion.load(fusionFiles(in: directory), map: map, policy: .strict, options: options, whenReadsEnd: whenReadsEnd).fusion
    }

    /// Reads the five files of `directory` at once, strictly (the bench data has no bad records).
    ///
    /// - Throws: ``IngestError`` naming the file, line and column of the first problem.
    /// - Complexity: O(total file size).
    public static func load(from directory: String, threads: Int? = nil) throws(IngestError) -> BenchDataset {
        // The five files are read at once, each on a share of the threads (see CSVReader.read(files:threads:)).
        let reads = CSVReader.read(files: files.map { file in
            var options = CSVReadOptions(schema: schema(of: file))
            options.schema?.ignoreUnlisted = false
            return (directory + "/" + file, options)
        }, threads: threads)
        var tables: [Table] = []
        for read in reads { tables.append(try read.get().table) }
        return BenchDataset(customers: tables[0], surveys: tables[1], orders: tables[2], returns: tables[3], carts: tables[4])
    }
}
