/// A text with wildcards, as policies and the service authorization reference write them, and the one question
/// the checks ask of two of them: is there a text both match?
struct WildcardPattern: Equatable {
    enum Token: Equatable {
        case character(Character)
        /// IAM's `?`: exactly one character.
        case anyOne
        /// `*`, or a variable: any run of characters, the empty one included.
        case anyRun
        /// A variable that cannot hold `/` (an S3 bucket name): any run of other characters.
        case anyRunWithoutSlash
    }

    var tokens: [Token]

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// A policy's text: `*` any run, `?` any one character, and `${...}` (an `Fn::Sub` variable such as
    /// `${AWS::AccountId}`, or an IAM policy variable) any run; `${!Literal}` is the literal `${Literal}`.
    /// `foldCase` lower-cases it first (actions and condition keys compare case-insensitively).
    init(policyText text: String, foldCase: Bool = false) {
        var tokens: [Token] = []
        var rest = Substring(foldCase ? text.lowercased() : text)
        while let c = rest.first {
            if rest.hasPrefix("${"), let close = rest.firstIndex(of: "}") {
                let name = rest[rest.index(rest.startIndex, offsetBy: 2)..<close]
                if name.hasPrefix("!") {
                    tokens += ("${" + name.dropFirst() + "}").map(Token.character)
                } else {
                    tokens.append(.anyRun)
                }
                rest = rest[rest.index(after: close)...]
                continue
            }
            tokens.append(c == "*" ? .anyRun : c == "?" ? .anyOne : .character(c))
            rest = rest.dropFirst()
        }
        self.tokens = tokens
    }

    /// A text of the reference: `${Name}` (and `<name>`, as some s3 condition keys write it) any run, `*` any run. A
    /// `${BucketName}` cannot span a `/`, since bucket names have none (so a bucket's format does not match
    /// `bucket/*`, as parliament's bucket special case has it).
    init(referenceText text: String, foldCase: Bool = false) {
        var tokens: [Token] = []
        var rest = Substring(foldCase ? text.lowercased() : text)
        while let c = rest.first {
            let close: Character? = rest.hasPrefix("${") ? "}" : c == "<" ? ">" : nil
            if let close, let end = rest.firstIndex(of: close) {
                let name = rest[rest.startIndex...end]
                tokens.append(name.lowercased() == "${bucketname}" ? .anyRunWithoutSlash : .anyRun)
                rest = rest[rest.index(after: end)...]
                continue
            }
            tokens.append(c == "*" ? .anyRun : .character(c))
            rest = rest.dropFirst()
        }
        self.tokens = tokens
    }

    var isRun: Bool { tokens.count == 1 && tokens[0] == .anyRun }
    var hasWildcard: Bool { tokens.contains { if case .character = $0 { false } else { true } } }

    /// The pattern cut at each literal `separator`, into at most `maxParts` parts (the last keeps the rest).
    func split(_ separator: Character, maxParts: Int) -> [WildcardPattern] {
        var parts: [WildcardPattern] = []
        var current: [Token] = []
        for t in tokens {
            if t == .character(separator), parts.count < maxParts - 1 {
                parts.append(WildcardPattern(tokens: current))
                current = []
            } else {
                current.append(t)
            }
        }
        parts.append(WildcardPattern(tokens: current))
        return parts
    }

    /// Whether some text matches both patterns. A search over pairs of positions: a run may end, or take one
    /// character the other pattern produces; two single characters advance together when they can be equal.
    func intersects(_ other: WildcardPattern) -> Bool {
        let a = tokens
        let b = other.tokens
        let width = b.count + 1
        var seen = Set<Int>()
        var stack = [0]
        while let state = stack.popLast() {
            let i = state / width
            let j = state % width
            if i == a.count, j == b.count { return true }
            func visit(_ i: Int, _ j: Int) {
                if seen.insert(i * width + j).inserted { stack.append(i * width + j) }
            }
            let ta = i < a.count ? a[i] : nil
            let tb = j < b.count ? b[j] : nil
            if let ta, Self.isRun(ta) { visit(i + 1, j) }
            if let tb, Self.isRun(tb) { visit(i, j + 1) }
            guard let ta, let tb else { continue }
            switch (Self.isRun(ta), Self.isRun(tb)) {
            case (true, false): if Self.run(ta, takes: tb) { visit(i, j + 1) }
            case (false, true): if Self.run(tb, takes: ta) { visit(i + 1, j) }
            case (false, false): if Self.canBeEqual(ta, tb) { visit(i + 1, j + 1) }
            case (true, true): break  // both runs: ending either one (above) covers every common text
            }
        }
        return false
    }

    static func isRun(_ t: Token) -> Bool { t == .anyRun || t == .anyRunWithoutSlash }

    /// Whether run `run` can take the single character `single` produces.
    static func run(_ run: Token, takes single: Token) -> Bool {
        run == .anyRun || single != .character("/")
    }

    static func canBeEqual(_ a: Token, _ b: Token) -> Bool {
        a == .anyOne || b == .anyOne || a == b
    }
}
