/// A DynamoDB attribute value of the kinds CatalogWatch stores: a string (`S`), a number (`N`, sent as
/// its decimal text, as DynamoDB's JSON protocol wants) or a list (`L`). Any other kind read back is `.other`.
public enum DynamoDBAttribute: Sendable, Equatable, Codable {
    case string(String)
    case number(String)
    case list([DynamoDBAttribute])
    /// A kind CatalogWatch does not store (read only).
    case other

    /// A number attribute holding `value`.
    public static func integer(_ value: Int64) -> DynamoDBAttribute { .number(String(value)) }

    /// The string, if this is one.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The number as an integer, if this is one.
    public var integerValue: Int64? { if case .number(let n) = self { Int64(n) } else { nil } }
    /// The list, if this is one.
    public var listValue: [DynamoDBAttribute]? { if case .list(let l) = self { l } else { nil } }

    private enum CodingKeys: String, CodingKey {
        case S, N, L
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .S)
        case .number(let value): try container.encode(value, forKey: .N)
        case .list(let value): try container.encode(value, forKey: .L)
        case .other: throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "not a stored kind"))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let s = try container.decodeIfPresent(String.self, forKey: .S) {
            self = .string(s)
        } else if let n = try container.decodeIfPresent(String.self, forKey: .N) {
            self = .number(n)
        } else if let l = try container.decodeIfPresent([DynamoDBAttribute].self, forKey: .L) {
            self = .list(l)
        } else {
            self = .other
        }
    }
}

/// What `UpdateItem` returns of the item (DynamoDB's `ReturnValues`).
public enum DynamoDBReturnValues: String, Sendable {
    /// Nothing.
    case none = "NONE"
    /// Every attribute of the item as the update left it.
    case allNew = "ALL_NEW"
}

/// Wire shapes of the DynamoDB JSON 1.0 calls (only UpdateItem's output is read).
enum DynamoDBWire {
    struct PutItemInput: Encodable {
        var TableName: String
        var Item: [String: DynamoDBAttribute]
        var ConditionExpression: String?
        var ExpressionAttributeNames: [String: String]?
        var ExpressionAttributeValues: [String: DynamoDBAttribute]?
    }

    struct UpdateItemInput: Encodable {
        var TableName: String
        var Key: [String: DynamoDBAttribute]
        var UpdateExpression: String
        var ConditionExpression: String?
        var ExpressionAttributeNames: [String: String]?
        var ExpressionAttributeValues: [String: DynamoDBAttribute]?
        var ReturnValues: String?
    }

    /// `UpdateItem`'s output: the item's attributes when `ReturnValues` asked for them.
    struct UpdateItemOutput: Decodable {
        var Attributes: [String: DynamoDBAttribute]?
    }

    struct DeleteItemInput: Encodable {
        var TableName: String
        var Key: [String: DynamoDBAttribute]
        var ConditionExpression: String?
        var ExpressionAttributeNames: [String: String]?
        var ExpressionAttributeValues: [String: DynamoDBAttribute]?
    }

    /// Any object: the calls ask for no return values.
    struct Ignored: Decodable {}

    /// DynamoDB rejects empty expression maps: an empty map is left out.
    static func nonEmpty<Value>(_ map: [String: Value]) -> [String: Value]? { map.isEmpty ? nil : map }
}

extension AWSError {
    /// DynamoDB refused a conditional write because its condition was false.
    public var isConditionalCheckFailed: Bool { code == "ConditionalCheckFailedException" }
}

extension AWSClient {
    /// DynamoDB `PutItem`: writes `item` into `table`, only when `condition` (with `names` and `values`) holds,
    /// if one is given; a false condition throws an `AWSError` whose `isConditionalCheckFailed` is true.
    public func putItem(
        table: String, item: [String: DynamoDBAttribute], condition: String? = nil, names: [String: String] = [:],
        values: [String: DynamoDBAttribute] = [:], deadline: ContinuousClock.Instant? = nil
    ) async throws {
        let input = DynamoDBWire.PutItemInput(
            TableName: table, Item: item, ConditionExpression: condition,
            ExpressionAttributeNames: DynamoDBWire.nonEmpty(names), ExpressionAttributeValues: DynamoDBWire.nonEmpty(values))
        _ = try await json(.dynamoDB, operation: "PutItem", input: input, output: DynamoDBWire.Ignored.self, deadline: deadline)
    }

    /// DynamoDB `UpdateItem`: applies `update` to the item with `key`, only when `condition` holds, if one is
    /// given; returns the item's attributes that `returnValues` asks for (none by default).
    @discardableResult
    public func updateItem(
        table: String, key: [String: DynamoDBAttribute], update: String, condition: String? = nil,
        names: [String: String] = [:], values: [String: DynamoDBAttribute] = [:], returnValues: DynamoDBReturnValues = .none,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> [String: DynamoDBAttribute] {
        let input = DynamoDBWire.UpdateItemInput(
            TableName: table, Key: key, UpdateExpression: update, ConditionExpression: condition,
            ExpressionAttributeNames: DynamoDBWire.nonEmpty(names), ExpressionAttributeValues: DynamoDBWire.nonEmpty(values),
            ReturnValues: returnValues == .none ? nil : returnValues.rawValue)
        let output = try await json(.dynamoDB, operation: "UpdateItem", input: input, output: DynamoDBWire.UpdateItemOutput.self, deadline: deadline)
        return output.Attributes ?? [:]
    }

    /// DynamoDB `DeleteItem`: deletes the item with `key`, only when `condition` holds, if one is given.
    public func deleteItem(
        table: String, key: [String: DynamoDBAttribute], condition: String? = nil, names: [String: String] = [:],
        values: [String: DynamoDBAttribute] = [:], deadline: ContinuousClock.Instant? = nil
    ) async throws {
        let input = DynamoDBWire.DeleteItemInput(
            TableName: table, Key: key, ConditionExpression: condition,
            ExpressionAttributeNames: DynamoDBWire.nonEmpty(names), ExpressionAttributeValues: DynamoDBWire.nonEmpty(values))
        _ = try await json(.dynamoDB, operation: "DeleteItem", input: input, output: DynamoDBWire.Ignored.self, deadline: deadline)
    }
}
