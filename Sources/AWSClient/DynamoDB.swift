/// A DynamoDB attribute value of the kinds CatalogWatch stores: a string (`S`) or a number (`N`, sent as
/// its decimal text, as DynamoDB's JSON protocol wants).
public enum DynamoDBAttribute: Sendable, Equatable, Encodable {
    case string(String)
    case number(String)

    /// A number attribute holding `value`.
    public static func integer(_ value: Int64) -> DynamoDBAttribute { .number(String(value)) }

    private enum CodingKeys: String, CodingKey {
        case S, N
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .S)
        case .number(let value): try container.encode(value, forKey: .N)
        }
    }
}

/// Wire shapes of the DynamoDB JSON 1.0 calls (the outputs are not read).
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

    /// DynamoDB `UpdateItem`: applies `update` to the item with `key`, only when `condition` holds, if one is given.
    public func updateItem(
        table: String, key: [String: DynamoDBAttribute], update: String, condition: String? = nil,
        names: [String: String] = [:], values: [String: DynamoDBAttribute] = [:], deadline: ContinuousClock.Instant? = nil
    ) async throws {
        let input = DynamoDBWire.UpdateItemInput(
            TableName: table, Key: key, UpdateExpression: update, ConditionExpression: condition,
            ExpressionAttributeNames: DynamoDBWire.nonEmpty(names), ExpressionAttributeValues: DynamoDBWire.nonEmpty(values))
        _ = try await json(.dynamoDB, operation: "UpdateItem", input: input, output: DynamoDBWire.Ignored.self, deadline: deadline)
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
