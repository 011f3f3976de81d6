/// Which columns of each table carry the customer, the times, the amounts,
/// the order status and the scores.
///
/// Every field left `nil` is found by its usual names (case-insensitive; the
/// first present wins, see ``FusionMapping/defaultNames``); a name given
/// explicitly must exist, or the fusion throws ``FusionError/missingColumn(role:field:column:suggestions:)``
/// with the nearest names. Optional columns (CSAT, CES, sentiment, channel,
/// comment, status, …) that are neither named nor found are simply absent.
///
/// ```swift
/// var mapping = FusionMapping()
/// mapping.answers.customer = nil                      // reviews carry no customer…
/// mapping.answers.orderID = "order_ref"               // …but an order id: linked through the orders table
/// mapping.answers.linkThroughOrders = true
/// mapping.answers.npsScale = .oneToTen                // a 1–10 recommend question
/// mapping.orders.amount = "total_gross"
/// ```
public struct FusionMapping: Hashable, Sendable {
    /// Columns of the customers table.
    public struct Customers: Hashable, Sendable {
        /// The customer ID (string or int64); unique per row.
        public var customer: String?
        public init(customer: String? = nil) { self.customer = customer }
    }

    /// Columns of the answers table (surveys, reviews).
    public struct Answers: Hashable, Sendable {
        /// The customer ID.
        public var customer: String?
        /// An order ID, for answers that reach the customer through the orders table.
        public var orderID: String?
        /// Reach the customer through `orderID` and the orders table even when a customer column exists.
        public var linkThroughOrders = false
        /// When the answer was given (timestamp or date).
        public var time: String?
        /// The answer's ID: breaks ties between answers of one customer at the same time (the larger wins).
        public var responseID: String?
        /// Score columns (int64; sentiment: any numeric kind).
        public var nps: String?, csat: String?, ces: String?, sentiment: String?
        /// The channel or touchpoint, and the free-text comment.
        public var channel: String?, comment: String?
        /// The scales of the scores.
        public var npsScale = NPSScale.standard, csatScale = TopBoxScale.csat, cesScale = TopBoxScale.ces
        public var sentimentScale = SentimentScale.standard
        public init() {}
    }

    /// Columns of the orders table.
    public struct Orders: Hashable, Sendable {
        /// The customer ID, the order ID (needed to link returns and answers), the time and the amount.
        public var customer: String?, orderID: String?, time: String?, amount: String?
        /// The order status (string); without one, every order counts as completed.
        public var status: String?
        /// Status values that mean a completed order.
        public var completedStatuses: Set<String> = ["completed"]
        public init() {}
    }

    /// Columns of the returns table.
    public struct Returns: Hashable, Sendable {
        /// The customer ID, the returned order's ID, the time and the refunded amount.
        public var customer: String?, orderID: String?, time: String?, amount: String?
        public init() {}
    }

    /// Columns of the abandoned-carts table.
    public struct Carts: Hashable, Sendable {
        /// The customer ID (null for a guest cart), the time and the cart's value.
        public var customer: String?, time: String?, value: String?
        public init() {}
    }

    /// Columns of the support-tickets table.
    public struct Tickets: Hashable, Sendable {
        /// The customer ID and the time the ticket was opened.
        public var customer: String?, time: String?
        public init() {}
    }

    public var customers = Customers()
    public var answers = Answers()
    public var orders = Orders()
    public var returns = Returns()
    public var carts = Carts()
    public var tickets = Tickets()
    /// How customer IDs are normalised before they are matched across tables (reported, see ``FusionReport``).
    public var normalization = KeyNormalization.none

    /// A mapping that finds every column by its usual name.
    public init() {}

    /// The names tried, in order, for each field left `nil`.
    public static let defaultNames: [String: [String]] = [
        "customer": ["customer_id", "customerid", "customer", "client_id", "user_id", "contact_id"],
        "orderID": ["order_id", "orderid", "order_number", "order"],
        "answers.time": ["responded_at", "response_time", "answered_at", "submitted_at", "created_at", "date"],
        "orders.time": ["ordered_at", "order_time", "order_date", "created_at", "date"],
        "returns.time": ["returned_at", "return_time", "return_date", "created_at", "date"],
        "carts.time": ["abandoned_at", "abandon_time", "created_at", "date"],
        "tickets.time": ["opened_at", "created_at", "date"],
        "responseID": ["response_id", "responseid", "review_id", "answer_id", "id"],
        "nps": ["nps", "nps_score", "likelihood_to_recommend", "recommend"],
        "csat": ["csat", "csat_score", "satisfaction"],
        "ces": ["ces", "ces_score", "effort"],
        "sentiment": ["sentiment", "sentiment_score"],
        "channel": ["channel", "touchpoint", "source"],
        "comment": ["comment", "comments", "feedback", "text", "review_text"],
        "amount": ["amount", "total", "order_value", "revenue", "value"],
        "returns.amount": ["amount", "refund_amount", "refund", "value"],
        "carts.value": ["value", "cart_value", "amount", "total"],
        "status": ["status", "order_status", "state"],
    ]
}

/// The columns a fusion uses, after defaults were resolved: what was found where.
public struct FusionColumns: Hashable, Sendable {
    public var customerID: String
    public var answerCustomer: String?, answerOrderID: String?, answerTime: String, responseID: String?
    public var nps: String?, csat: String?, ces: String?, sentiment: String?, channel: String?, comment: String?
    public var orderCustomer: String?, orderID: String?, orderTime: String?, orderAmount: String?, orderStatus: String?
    public var returnCustomer: String?, returnOrderID: String?, returnTime: String?, returnAmount: String?
    public var cartCustomer: String?, cartTime: String?, cartValue: String?
    public var ticketCustomer: String?, ticketTime: String?
}

extension FusionColumns {
    /// No column resolved yet: what ``Fusion/resolve(_:_:mapping:ordersGiven:checkKinds:into:)`` fills in, role by role.
    static var unresolved: FusionColumns {
        FusionColumns(
            customerID: "", answerCustomer: nil, answerOrderID: nil, answerTime: "", responseID: nil,
            nps: nil, csat: nil, ces: nil, sentiment: nil, channel: nil, comment: nil,
            orderCustomer: nil, orderID: nil, orderTime: nil, orderAmount: nil, orderStatus: nil,
            returnCustomer: nil, returnOrderID: nil, returnTime: nil, returnAmount: nil,
            cartCustomer: nil, cartTime: nil, cartValue: nil, ticketCustomer: nil, ticketTime: nil)
    }
}

/// Finds the column for one field of one role.
struct ColumnResolver {
    let table: Table
    let role: FusionRole
    /// Whether ``require(_:_:_:)`` checks kinds (off when a loader first wants the names, to re-read mistyped columns).
    var checksKinds = true

    /// The explicit name (which must exist), or the first usual name present, or `nil`.
    func resolve(_ field: String, explicit: String?, defaults key: String, required: Bool) throws(FusionError) -> String? {
        let names = table.schema.names
        if let explicit {
            guard names.contains(explicit) else {
                throw .missingColumn(role: role, field: field, column: explicit, suggestions: NameSuggestions.nearest(to: explicit, in: names))
            }
            return explicit
        }
        let lowered = Dictionary(names.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for candidate in FusionMapping.defaultNames[key] ?? [] {
            if let name = lowered[candidate] { return name }
        }
        if required {
            let usual = FusionMapping.defaultNames[key]?.first ?? field
            throw .missingColumn(role: role, field: field, column: nil, suggestions: NameSuggestions.nearest(to: usual, in: names))
        }
        return nil
    }

    /// Checks that `name` holds one of the accepted kinds.
    func require(_ name: String?, _ expected: String, _ accepts: (ColumnKind) -> Bool) throws(FusionError) {
        guard checksKinds, let name, let column = table[name] else { return }
        guard accepts(column.kind) else { throw .wrongKind(role: role, column: name, kind: column.kind, expected: expected) }
    }

    static func isTime(_ kind: ColumnKind) -> Bool { kind == .timestamp || kind == .date }
    static func isID(_ kind: ColumnKind) -> Bool { kind == .string || kind == .int64 }
    static func isNumeric(_ kind: ColumnKind) -> Bool { kind.isNumeric }
}
