import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Reads budget JSON (`Schemas/budget.schema.json`) as a stream, line by line, in 1 MiB
/// chunks: memory stays flat however many lines the budget has. Each table's fields must come
/// before its `lines` (as Anslag writes them).
public final class BudgetJSONStream {
    public struct TableHead: Sendable {
        public var table: BudgetTable   // with no lines
        public var index: Int
    }

    let file: String
    private let stream: UnsafeMutablePointer<FILE>
    private var buf: [UInt8] = []
    private var pos = 0
    private var eof = false
    private let closeAtEnd: Bool

    public init(path: String) throws {
        guard let f = fopen(path, "rb") else { throw ReadError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        stream = f; file = path; closeAtEnd = true
        ReadFiles.note(descriptor: fileno(f))
    }

    deinit { if closeAtEnd { fclose(stream) } }

    private func bad(_ path: String, _ what: String) -> ReadError { .malformed(file: file, part: path, detail: what) }

    private func fill() -> Bool {
        if eof { return false }
        if pos > 1 << 20 { buf.removeFirst(pos); pos = 0 }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 1 << 20, stream) }
        if n < 1 << 20 { eof = true }
        buf.append(contentsOf: chunk.prefix(n))
        return n > 0
    }

    private func skipSpace() {
        while true {
            while pos < buf.count, buf[pos] == 32 || buf[pos] == 10 || buf[pos] == 13 || buf[pos] == 9 { pos += 1 }
            if pos < buf.count || !fill() { return }
        }
    }

    private func peek() -> UInt8? { skipSpace(); return pos < buf.count ? buf[pos] : nil }

    private func expect(_ c: Character, _ path: String) throws {
        guard peek() == c.asciiValue else { throw bad(path, "expected '\(c)'") }
        pos += 1
    }

    private func value(_ path: String) throws -> JSONValue {
        while true {
            skipSpace()
            do {
                let (v, end) = try JSONValue.parsePrefix(buf, at: pos, final: eof)
                pos = end
                return v
            } catch is JSONValue.Incomplete {
                if !fill() {
                    do { let (v, end) = try JSONValue.parsePrefix(buf, at: pos, final: true); pos = end; return v }
                    catch let e as JSONValue.ParseError { throw bad(path, "not valid JSON: \(e.message)") }
                }
            } catch let e as JSONValue.ParseError {
                throw bad(path, "not valid JSON: \(e.message)")
            }
        }
    }

    /// A line object of plain strings, numbers and nulls (what Anslag writes), parsed straight
    /// from the bytes; nil for anything else (escapes, unknown members, a line cut by the
    /// buffer's end), which the general parser then reads and checks.
    private func fastLine() -> (BudgetLine, Int)? {
        var i = pos
        let n = buf.count
        guard i < n, buf[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var label: String?, amount: Money?, cell: String?, role: BudgetLine.Role?, year: Int?
        var area: String?, key: String?, sumOf: String?, text: String?
        var columnHead: String?, columnYear: Int?, columnKind: BudgetLine.ColumnKind?
        var seen: UInt16 = 0
        func space() { while i < n, buf[i] == 32 || buf[i] == 10 || buf[i] == 13 || buf[i] == 9 { i += 1 } }
        /// The bytes of a string with no escapes and no control characters, stepped over.
        func plainBytes() -> Range<Int>? {
            guard i < n, buf[i] == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            var j = start
            while j < n, buf[j] != UInt8(ascii: "\""), buf[j] != UInt8(ascii: "\\"), buf[j] >= 32 { j += 1 }
            guard j < n, buf[j] == UInt8(ascii: "\"") else { return nil }
            i = j + 1
            return start..<j
        }
        func plainString() -> String? { plainBytes().map { String(decoding: buf[$0], as: UTF8.self) } }
        /// A member's name matched on its bytes, no string made (nil: not one of the table's).
        func memberName() -> LineMember? { plainBytes().flatMap { LineMember.named(buf[$0]) } }
        func isNull() -> Bool {
            guard i + 4 <= n, buf[i] == UInt8(ascii: "n"), buf[i + 1] == UInt8(ascii: "u"), buf[i + 2] == UInt8(ascii: "l"), buf[i + 3] == UInt8(ascii: "l") else { return false }
            i += 4
            return true
        }
        func number() -> String? {
            let start = i
            while i < n, let c = Optional(buf[i]), (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 101 || c == 69 || c == 43 { i += 1 }
            guard i > start, i < n else { return nil }
            return String(decoding: buf[start..<i], as: UTF8.self)
        }
        while true {
            space()
            guard i < n else { return nil }
            if buf[i] == UInt8(ascii: "}") { i += 1; break }
            let name = memberName()
            space()
            guard i < n, buf[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            space()
            guard i < n else { return nil }
            let null = isNull()
            // A member not in the table, or given twice: the general path decides.
            guard let member = name, seen & member.bit == 0 else { return nil }
            seen |= member.bit
            var string: String?, numeral: String?
            if null {
                guard !member.required else { return nil }
            } else if member.isNumber {
                guard let t = number() else { return nil }
                numeral = t
            } else {
                guard let t = plainString() else { return nil }
                string = t
            }
            switch member {
            case .label: label = string
            case .cell: cell = string
            case .role: guard let r = BudgetLine.Role(rawValue: string!) else { return nil }; role = r
            case .amount: if let t = numeral { guard let m = Money.exact(decimal: t, scale: 1) else { return nil }; amount = m }
            case .year: if let t = numeral { guard let y = Int(t) else { return nil }; year = y }
            case .area: area = string
            case .key: key = string
            case .sumOf: sumOf = string
            case .text: text = string
            case .columnHead: columnHead = string
            case .columnYear: if let t = numeral { guard let y = Int(t) else { return nil }; columnYear = y }
            case .columnKind: if let t = string { guard let k = BudgetLine.ColumnKind(rawValue: t) else { return nil }; columnKind = k }
            }
            space()
            guard i < n else { return nil }
            if buf[i] == UInt8(ascii: ",") { i += 1; continue }
            if buf[i] == UInt8(ascii: "}") { i += 1; break }
            return nil
        }
        guard let label, let cell, let role else { return nil }
        guard columnHead != nil || (columnYear == nil && columnKind == nil) else { return nil }
        let column = columnHead.map { BudgetLine.Column(head: $0, year: columnYear, kind: columnKind) }
        return (BudgetLine(label: label, amount: amount, cell: cell, role: role, year: year, area: area, key: key, sumOf: sumOf,
                           text: text, column: column), i)
    }

    /// The members of a line object as Anslag writes them, in one table: each one's name, its
    /// bit among the members seen, whether null is refused, and whether its value is a number.
    private enum LineMember: Int {
        case label, cell, role, amount, year, area, key, sumOf, text, columnHead, columnYear, columnKind

        /// Each member's name as bytes, by raw value.
        static let names: [[UInt8]] = ["label", "cell", "role", "amount", "year", "area", "key", "sum_of", "text",
                                       "column_head", "column_year", "column_kind"].map { Array($0.utf8) }
        /// The member whose name these bytes are: compared by length first, so a name is
        /// matched in a byte comparison or two (a dictionary lookup hashed every key: 160 M
        /// instructions on 50 000 lines).
        static func named(_ bytes: ArraySlice<UInt8>) -> LineMember? {
            for (m, name) in names.enumerated() where name.count == bytes.count && name.elementsEqual(bytes) {
                return LineMember(rawValue: m)
            }
            return nil
        }

        var bit: UInt16 { 1 << UInt16(rawValue) }
        var required: Bool { self == .label || self == .cell || self == .role }
        var isNumber: Bool { self == .amount || self == .year || self == .columnYear }
    }

    private func key(_ path: String) throws -> String {
        guard case .string(let k) = try value(path) else { throw bad(path, "expected a member name") }
        try expect(":", path)
        return k
    }

    public enum Event: Sendable {
        case sheets([SheetInfo], file: String)
        case table(TableHead)
        case line(BudgetLine)
    }

    /// Like `read`, but parses on a second thread while `handle` consumes the events on this
    /// one, in batches (at most four waiting): parsing and writing overlap on two cores.
    public func readConcurrently(batchSize: Int = 4096, _ handle: (Event) throws -> Void) throws {
        struct Stopped: Error {}
        let handoff = Handoff<[Event]>(depth: 4)
        let me = UncheckedBox(self)
        DispatchQueue.global().async {
            var batch: [Event] = []
            batch.reserveCapacity(batchSize)
            func push(_ e: Event) throws {
                batch.append(e)
                if batch.count >= batchSize {
                    guard handoff.put(batch) else { throw Stopped() }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            do {
                try me.value.read(sheets: { try push(.sheets($0, file: $1)) }, table: { try push(.table($0)) }, line: { try push(.line($0)) })
                if !batch.isEmpty { guard handoff.put(batch) else { return } }
                handoff.finish()
            } catch is Stopped {
                return
            } catch {
                handoff.finish(error: error)
            }
        }
        defer { handoff.cancel() }
        while let batch = try handoff.take() {
            for e in batch { try handle(e) }
        }
    }

    /// Reads the whole document, handing over the sheets, each table's head, and its lines.
    public func read(sheets onSheets: ([SheetInfo], String) throws -> Void,
                     table onTable: (TableHead) throws -> Void,
                     line onLine: (BudgetLine) throws -> Void) throws {
        if buf.isEmpty { _ = fill() }
        if buf.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
        try expect("{", "$")
        var root: [JSONMember] = []
        var tablesSeen = false
        while true {
            if peek() == UInt8(ascii: "}") { pos += 1; break }
            let k = try key("$")
            if k == "tables" {
                guard let sheetsValue = root.first(where: { $0.key == "sheets" })?.value,
                      case .string(let f)? = root.first(where: { $0.key == "file" })?.value else {
                    throw bad("$", "file and sheets must come before tables")
                }
                guard case .number(let v)? = root.first(where: { $0.key == "version" })?.value, v == "1",
                      case .string("budget")? = root.first(where: { $0.key == "kind" })?.value else { throw bad("$.kind", "not a budget (kind \"budget\", version 1)") }
                let sheets = try BudgetJSON.read(.object([JSONMember(key: "version", value: .number("1")), JSONMember(key: "file", value: .string(f)),
                                                          JSONMember(key: "sheets", value: sheetsValue), JSONMember(key: "tables", value: .array([]))]),
                                                 { self.bad($0, $1) }).sheets
                try onSheets(sheets, f)
                try tables(onTable, onLine)
                tablesSeen = true
            } else {
                root.append(JSONMember(key: k, value: try value("$.\(k)")))
            }
            if peek() == UInt8(ascii: ",") { pos += 1; continue }
            try expect("}", "$")
            break
        }
        guard tablesSeen else { throw bad("$.tables", "expected a list of tables") }
    }

    private func tables(_ onTable: (TableHead) throws -> Void, _ onLine: (BudgetLine) throws -> Void) throws {
        try expect("[", "$.tables")
        if peek() == UInt8(ascii: "]") { pos += 1; return }
        var t = 0
        while true {
            let p = "$.tables[\(t)]"
            try expect("{", p)
            var fields: [JSONMember] = []
            var linesSeen = false
            while true {
                if peek() == UInt8(ascii: "}") { pos += 1; break }
                let k = try key(p)
                if k == "lines" {
                    // The head, from the fields so far (checked as a table without lines).
                    let head = try BudgetJSON.read(.object([JSONMember(key: "version", value: .number("1")), JSONMember(key: "file", value: .string("")),
                                                            JSONMember(key: "sheets", value: .array([])),
                                                            JSONMember(key: "tables", value: .array([.object(fields + [JSONMember(key: "lines", value: .array([]))])]))]),
                                                   { path, what in self.bad(path.hasPrefix("$.tables[0]") ? p + path.dropFirst("$.tables[0]".count) : path, what) }).tables[0]
                    try onTable(TableHead(table: head, index: t))
                    try expect("[", "\(p).lines")
                    var n = 0
                    if peek() == UInt8(ascii: "]") { pos += 1 } else {
                        while true {
                            skipSpace()
                            if let (l, end) = fastLine() {
                                pos = end
                                try onLine(l)
                            } else {
                                let lp = "\(p).lines[\(n)]"
                                let v = try value(lp)
                                try onLine(try BudgetJSON.line(v, lp, { self.bad($0, $1) }))
                            }
                            n += 1
                            if peek() == UInt8(ascii: ",") { pos += 1; continue }
                            try expect("]", "\(p).lines")
                            break
                        }
                    }
                    linesSeen = true
                } else {
                    if linesSeen { throw bad("\(p).\(k)", "a table's fields must come before its lines to be read as a stream") }
                    fields.append(JSONMember(key: k, value: try value("\(p).\(k)")))
                }
                if peek() == UInt8(ascii: ",") { pos += 1; continue }
                try expect("}", p)
                break
            }
            guard linesSeen else { throw bad("\(p).lines", "expected a list of lines") }
            t += 1
            if peek() == UInt8(ascii: ",") { pos += 1; continue }
            try expect("]", "$.tables")
            return
        }
    }
}
