/// The alerts of one event/batch after dropping repeated EventIds (the first record of each EventId is kept).
public struct FailureBatch: Sendable, Equatable {
    /// An alert to send: the record index and its failure.
    public struct Item: Sendable, Equatable {
        public let index: Int
        public let failure: StackFailure
    }

    /// A record whose failure repeats an earlier one.
    public struct Duplicate: Sendable, Equatable {
        /// The repeated record.
        public let index: Int
        /// The record that is alerted on.
        public let firstIndex: Int
    }

    /// One entry per distinct failure, in record order.
    public let alerts: [Item]
    /// Records dropped as repeats, in record order.
    public let duplicates: [Duplicate]

    /// Indexes of the dropped records.
    public var duplicateIndexes: [Int] { duplicates.map(\.index) }

    /// Deduplicates decisions whose position is the record index.
    public init(decisions: [Decision]) {
        self.init(failures: decisions.enumerated().compactMap { index, decision in
            decision.failure.map { (index: index, failure: $0) }
        })
    }

    /// Deduplicates failures tagged with their record index. The key is the EventId; a failure without one is
    /// keyed by stack, status and timestamp.
    public init(failures: [(index: Int, failure: StackFailure)]) {
        var firstIndexByKey: [String: Int] = [:]
        var alerts: [Item] = []
        var duplicates: [Duplicate] = []
        for (index, failure) in failures {
            let key = FailureBatch.key(failure)
            if let first = firstIndexByKey[key] {
                duplicates.append(Duplicate(index: index, firstIndex: first))
            } else {
                firstIndexByKey[key] = index
                alerts.append(Item(index: index, failure: failure))
            }
        }
        self.alerts = alerts
        self.duplicates = duplicates
    }

    static func key(_ failure: StackFailure) -> String {
        if let eventId = failure.eventId { return "event:" + eventId }
        return "stack:\(failure.stackId ?? failure.stackName)|\(failure.status)|\(failure.timestamp ?? "")"
    }
}
