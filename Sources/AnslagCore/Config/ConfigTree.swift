import AnslagYAML

/// A settings document (YAML or JSON) as plain values with the path of each value, so that
/// every complaint names the field: `rules[2].key.basis.age`.
struct ConfigNode {
    enum Value {
        case text(String, quoted: Bool)
        case list([ConfigNode])
        case map([(key: String, value: ConfigNode)])
        case null
    }

    let value: Value
    let path: String
    let line: Int?

    /// A problem with this value, worded with its path.
    func error(_ problem: String) -> RuleError { RuleError(rule: nil, path: path.isEmpty ? "(top)" : path, line: line, problem: problem) }

    static func fromYAML(_ text: String) throws -> ConfigNode {
        do {
            return convert(try YAMLReader.parse(text), path: "")
        } catch {
            throw RuleError(rule: nil, path: "", line: error.line, problem: error.refused ? "refused: \(error.problem)" : "not valid YAML: \(error.problem)")
        }
    }

    static func fromJSON(_ bytes: [UInt8]) throws -> ConfigNode {
        do {
            return convert(try JSONValue.parse(bytes), path: "")
        } catch let e as JSONValue.ParseError {
            throw RuleError(rule: nil, path: "", line: nil, problem: "not valid JSON at byte \(e.offset): \(e.message)")
        }
    }

    private static func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private static func convert(_ t: YAMLTree, path: String) -> ConfigNode {
        switch t {
        case .scalar(let s, let quoted, let line):
            if !quoted && (s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL") { return ConfigNode(value: .null, path: path, line: line) }
            return ConfigNode(value: .text(s, quoted: quoted), path: path, line: line)
        case .sequence(let items, let line):
            return ConfigNode(value: .list(items.enumerated().map { convert($1, path: "\(path)[\($0)]") }), path: path, line: line)
        case .mapping(let pairs, let line):
            return ConfigNode(value: .map(pairs.map { ($0.key, convert($0.value, path: child(path, $0.key))) }), path: path, line: line)
        }
    }

    private static func convert(_ j: JSONValue, path: String) -> ConfigNode {
        switch j {
        case .string(let s): return ConfigNode(value: .text(s, quoted: true), path: path, line: nil)
        case .number(let n): return ConfigNode(value: .text(n, quoted: false), path: path, line: nil)
        case .bool(let b): return ConfigNode(value: .text(b ? "true" : "false", quoted: false), path: path, line: nil)
        case .null: return ConfigNode(value: .null, path: path, line: nil)
        case .array(let a): return ConfigNode(value: .list(a.enumerated().map { convert($1, path: "\(path)[\($0)]") }), path: path, line: nil)
        case .object(let m): return ConfigNode(value: .map(m.map { ($0.key, convert($0.value, path: child(path, $0.key))) }), path: path, line: nil)
        }
    }

    // MARK: Access

    var isNull: Bool { if case .null = value { return true }; return false }

    subscript(_ key: String) -> ConfigNode? {
        guard case .map(let pairs) = value, let v = pairs.first(where: { $0.key == key })?.value, !v.isNull else { return nil }
        return v
    }

    var keys: [String] { if case .map(let p) = value { return p.map(\.key) }; return [] }

    /// Refuses keys this mapping does not know, naming the nearest known one.
    func onlyKeys(_ allowed: [String]) throws {
        guard case .map(let pairs) = value else { throw error("expected a mapping (key: value)") }
        for (k, _) in pairs where !allowed.contains(k) {
            throw error("unknown field \"\(k)\"; known fields: \(allowed.joined(separator: ", "))")
        }
    }

    func text() throws -> String {
        guard case .text(let s, _) = value else { throw error("expected text, found \(kind)") }
        return s
    }

    func list() throws -> [ConfigNode] {
        guard case .list(let items) = value else { throw error("expected a list, found \(kind)") }
        return items
    }

    var isList: Bool { if case .list = value { return true }; return false }
    var isMap: Bool { if case .map = value { return true }; return false }

    var kind: String {
        switch value {
        case .text: return "text"
        case .list: return "a list"
        case .map: return "a mapping"
        case .null: return "nothing"
        }
    }

    /// Whole kronor: a number (`10000000`, `10_000_000`) or Swedish amount text
    /// (`10 000 000 kr`, `1,5 mnkr`). Öre are refused: allocations are in whole kronor.
    func kronor() throws -> Int64 {
        let s = try text()
        let plain = s.filter { $0 != "_" }
        if let v = Int64(plain) { return v }
        guard let parsed = AmountText.parse(s) else { throw error("\"\(s)\" is not an amount in kronor") }
        guard let k = parsed.amount.wholeKronor else { throw error("\"\(s)\" is not whole kronor; allocations are in whole kronor") }
        return k
    }

    func integer() throws -> Int64 {
        let s = try text()
        guard let v = Int64(s.filter { $0 != "_" && $0 != " " && $0 != "\u{A0}" }) else { throw error("\"\(s)\" is not a whole number") }
        return v
    }
}

/// A rule file that cannot be used, worded with the rule's name and the field's path.
public struct RuleError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    public var rule: String?
    public var path: String
    public var line: Int?
    public var problem: String

    public init(file: String? = nil, rule: String?, path: String, line: Int?, problem: String) {
        self.file = file; self.rule = rule; self.path = path; self.line = line; self.problem = problem
    }

    public var description: String {
        var where_ = file ?? ""
        if let line { where_ += where_.isEmpty ? "line \(line)" : ":\(line)" }
        var parts: [String] = []
        if !where_.isEmpty { parts.append(where_) }
        if let rule { parts.append("rule \"\(rule)\"") }
        if !path.isEmpty { parts.append(path) }
        return (parts.isEmpty ? "" : parts.joined(separator: ": ") + ": ") + problem
    }
}
