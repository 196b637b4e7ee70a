import Diagnostics
import FilterContract
import YAML

extension Checker {
    /// `digest` (top level or in a route): `off`/`false`, or `{window: 5m, threshold: 3}` with a window of
    /// 60 to 900 seconds (`90s`, `5m` or a number of seconds: SQS delays the flush at most 15 minutes) and a
    /// threshold of 1 to 1000 failures alerted one by one first. Nil (with an error) for anything else.
    mutating func checkDigest(_ node: YAMLNode, _ key: String) -> Route.DigestOverride? {
        if case .scalar(let s) = node, s.tag == nil, s.isPlain, ["off", "false"].contains(s.value) { return .off }
        let fields = ["window", "threshold"]
        guard let pairs = node.pairs else {
            error(node, key, "must be off or a mapping of window (e.g. 5m) and threshold (e.g. 3), found a \(node.kindName) \(node.preview)")
            return nil
        }
        var window: Int?, threshold: Int?
        for pair in pairs {
            let field = pair.key.scalarValue ?? ""
            switch field {
            case "window":
                window = digestWindow(pair.value)
                if window == nil {
                    let range = DigestSetting.windowRange
                    error(pair.value, "\(key).window", "must be \(range.lowerBound)s to \(range.upperBound / 60)m (seconds as 90s or 90, minutes as 5m): SQS delays the digest's flush at most 15 minutes, found \(pair.value.preview)")
                }
            case "threshold":
                if case .scalar(let s) = pair.value, s.tag == nil, s.isPlain, let n = Int(s.value), DigestSetting.thresholdRange.contains(n) {
                    threshold = n
                } else {
                    let range = DigestSetting.thresholdRange
                    error(pair.value, "\(key).threshold", "must be a whole number from \(range.lowerBound) to \(range.upperBound) (the failures alerted one by one before the rest are held), found \(pair.value.preview)")
                }
            default:
                error(pair.key, "\(key).\(field)", "unknown key '\(field)'", suggestion: Suggest.closest(to: field, among: fields).first)
            }
        }
        for field in fields where !pairs.contains(where: { $0.key.scalarValue == field }) {
            error(node, "\(key).\(field)", "is required")
        }
        guard let window, let threshold else { return nil }
        return .on(Layout.Digest(windowSeconds: window, threshold: threshold))
    }

    /// `90s`, `5m` or `90` (seconds), within `DigestSetting.windowRange`.
    func digestWindow(_ node: YAMLNode) -> Int? {
        guard let seconds = Self.duration(node, units: ["s": 1, "m": 60, "": 1]) else { return nil }
        return DigestSetting.windowRange.contains(seconds) ? seconds : nil
    }

    /// A plain scalar `<digits><unit>` with one of `units` (suffix to multiplier; `""` for a bare number):
    /// the number times the unit's multiplier, or nil.
    static func duration(_ node: YAMLNode, units: [String: Int]) -> Int? {
        guard case .scalar(let s) = node, s.tag == nil, s.isPlain else { return nil }
        let digits = s.value.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, let n = Int(digits), let unit = units[String(s.value.dropFirst(digits.count))] else { return nil }
        return n * unit
    }
}
