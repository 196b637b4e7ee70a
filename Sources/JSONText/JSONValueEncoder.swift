/// Encodes `Encodable` values as JSON without Foundation: the value is written through the standard
/// `Encoder` protocol into a `JSONValue`, then serialized. Object keys are sorted (the output is the same
/// whatever order a dictionary iterates in); nil optionals are left out, as `JSONEncoder` does. An integer
/// that a `Double` cannot hold exactly (beyond 2^53) is an `EncodingError`, never a silently changed number.
public struct JSONValueEncoder: Sendable {
    public init() {}

    /// The value as a `JSONValue`.
    public func encodeValue(_ value: some Encodable) throws -> JSONValue {
        let node = EncodingNode()
        try node.encode(value, codingPath: [])
        return node.built()
    }

    /// The value as compact UTF-8 JSON text.
    public func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try encodeValue(value).serialized().utf8)
    }
}

/// What one value became while it is encoded: a scalar, an object or an array of nodes (containers write
/// into their node after the encoder that made them is gone, hence a class).
private final class EncodingNode {
    enum Content {
        case unset
        case scalar(JSONValue)
        case object([(key: String, node: EncodingNode)])
        case array([EncodingNode])
    }

    var content = Content.unset

    func encode(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        if let json = value as? JSONValue {
            content = .scalar(json)
        } else {
            try value.encode(to: ValueEncoder(node: self, codingPath: codingPath))
        }
    }

    /// The member `key` of this object node (made an object if unset), replacing a member of that key.
    func member(_ key: String) -> EncodingNode {
        var members: [(key: String, node: EncodingNode)] = []
        if case .object(let existing) = content { members = existing }
        let child = EncodingNode()
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].node = child
        } else {
            members.append((key, child))
        }
        content = .object(members)
        return child
    }

    /// A new last item of this array node (made an array if unset).
    func appendItem() -> EncodingNode {
        var items: [EncodingNode] = []
        if case .array(let existing) = content { items = existing }
        let child = EncodingNode()
        items.append(child)
        content = .array(items)
        return child
    }

    func makeObject() { if case .object = content {} else { content = .object([]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }

    var itemCount: Int { if case .array(let items) = content { items.count } else { 0 } }

    /// The finished value, object keys sorted; a node nothing was written to is an empty object.
    func built() -> JSONValue {
        switch content {
        case .unset: .object([])
        case .scalar(let value): value
        case .object(let members):
            .object(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.node.built()) })
        case .array(let items): .array(items.map { $0.built() })
        }
    }

    /// A number node, refusing an integer a Double would round.
    func setNumber<T: BinaryInteger>(_ value: T, codingPath: [any CodingKey]) throws {
        guard let d = Double(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) has no exact JSON number here"))
        }
        content = .scalar(.number(d))
    }
}

private struct ValueEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

/// Writes one value into its node.
private struct SingleContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .scalar(.null) }
    mutating func encode(_ value: Bool) throws { node.content = .scalar(.bool(value)) }
    mutating func encode(_ value: String) throws { node.content = .scalar(.string(value)) }
    mutating func encode(_ value: Double) throws { node.content = .scalar(.number(value)) }
    mutating func encode(_ value: Float) throws { node.content = .scalar(.number(Double(value))) }
    mutating func encode(_ value: Int) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int8) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int16) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int32) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int64) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt8) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt16) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt32) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt64) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}

/// Writes an object's members.
private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func single(_ key: Key) -> SingleContainer {
        SingleContainer(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { var c = single(key); try c.encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { var c = single(key); try c.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(node: node.member("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

/// Appends an array's items.
private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    var count: Int { node.itemCount }

    private func single() -> SingleContainer {
        let path = codingPath + [IndexKey(node.itemCount)]
        return SingleContainer(node: node.appendItem(), codingPath: path)
    }

    mutating func encodeNil() throws { var c = single(); try c.encodeNil() }
    mutating func encode(_ value: Bool) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: String) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Double) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Float) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int8) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int16) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int32) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int64) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt8) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt16) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt32) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt64) throws { var c = single(); try c.encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { var c = single(); try c.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.appendItem(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.appendItem(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(node: node.appendItem(), codingPath: codingPath)
    }
}
