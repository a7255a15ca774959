internal import Yams

/// A YAML document as plain values, with the line each value starts on, so that callers
/// never see Yams or Foundation types (see Package.swift for why).
public indirect enum YAMLTree: Sendable, Equatable {
    /// A scalar: its text, whether it was quoted (a quoted `"null"` is text), and its line.
    case scalar(String, quoted: Bool, line: Int)
    case sequence([YAMLTree], line: Int)
    /// A mapping in document order; keys are scalars' text.
    case mapping([(key: String, value: YAMLTree)], line: Int)

    public var line: Int {
        switch self {
        case .scalar(_, _, let l), .sequence(_, let l), .mapping(_, let l): return l
        }
    }

    public static func == (a: YAMLTree, b: YAMLTree) -> Bool {
        switch (a, b) {
        case let (.scalar(x, qx, _), .scalar(y, qy, _)): return x == y && qx == qy
        case let (.sequence(x, _), .sequence(y, _)): return x == y
        case let (.mapping(x, _), .mapping(y, _)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

public struct YAMLError: Error, CustomStringConvertible, Sendable {
    public let line: Int?
    public let problem: String
    /// A limit of Anslag's was hit (nesting, values), not a syntax error.
    public var refused = false
    init(line: Int?, problem: String, refused: Bool = false) { self.line = line; self.problem = problem; self.refused = refused }
    public var description: String { line.map { "line \($0): \(problem)" } ?? problem }
}

public enum YAMLReader {
    /// Parses one YAML document. Aliases are expanded, but the whole tree may hold at most
    /// `maxNodes` values, so an alias bomb ("billion laughs") is refused, not expanded.
    /// Deepest nesting of sequences and mappings (as for JSON; rule files need a handful).
    /// libyaml stops at 1000 levels by itself; both say the same.
    public static let maxDepth = 256

    static var tooDeep: String { "nested more than \(maxDepth) levels deep (the limit for YAML files)" }

    public static func parse(_ text: String, maxNodes: Int = 1_000_000) throws(YAMLError) -> YAMLTree {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            let problem = Self.problem(of: e)
            if problem.contains("Maximum nesting level") { throw YAMLError(line: Self.line(of: e), problem: tooDeep, refused: true) }
            throw YAMLError(line: Self.line(of: e), problem: problem)
        } catch {
            throw YAMLError(line: nil, problem: "\(error)")
        }
        guard let node else { throw YAMLError(line: nil, problem: "the document is empty") }
        var budget = maxNodes
        return try convert(node, budget: &budget, depth: 0)
    }

    private static func convert(_ node: Node, budget: inout Int, depth: Int) throws(YAMLError) -> YAMLTree {
        budget -= 1
        let line = node.mark?.line ?? 0
        if budget < 0 { throw YAMLError(line: line, problem: "too many values (aliases expanded); the limit guards against alias bombs", refused: true) }
        if depth > maxDepth { throw YAMLError(line: line, problem: tooDeep, refused: true) }
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded
            return .scalar(s.string, quoted: quoted, line: line)
        case .sequence(let seq):
            var items: [YAMLTree] = []
            for n in seq { items.append(try convert(n, budget: &budget, depth: depth + 1)) }
            return .sequence(items, line: line)
        case .mapping(let map):
            var pairs: [(key: String, value: YAMLTree)] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw YAMLError(line: k.mark?.line, problem: "a mapping key must be plain text")
                }
                if pairs.contains(where: { $0.key == ks.string }) {
                    throw YAMLError(line: k.mark?.line, problem: "the key \"\(ks.string)\" appears twice")
                }
                pairs.append((ks.string, try convert(v, budget: &budget, depth: depth + 1)))
            }
            return .mapping(pairs, line: line)
        case .alias:
            throw YAMLError(line: line, problem: "an unresolved alias")
        }
    }

    private static func line(of e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _): return m.line
        default: return nil
        }
    }

    private static func problem(of e: YamlError) -> String {
        switch e {
        case .scanner(let c, let p, _, _), .parser(let c, let p, _, _), .composer(let c, let p, _, _):
            return c.map { "\($0.text) \(p)" } ?? p
        case .reader(let p, _, _, _): return p
        case .duplicatedKeysInMapping(let d, _): return "duplicate keys: \(d.joined(separator: ", "))"
        default: return "\(e)"
        }
    }
}
