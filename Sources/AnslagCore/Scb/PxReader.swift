/// Reads PC-Axis (`.px`) files as SCB serves them: keywords with optional language and
/// arguments (`VALUES("region")=…;`, `VALUES[en]("region")=…;`), strings continued over
/// lines, `CODEPAGE`/`CHARSET`, `STUB` and `HEADING` variables, `CODES`, `TIMEVAL`/`TLIST`,
/// `DATA` separated by spaces, tabs or commas, the dot symbols and `DATASYMBOLNIL`, and the
/// sparse `KEYS` layout. Keywords with a language are the translations; the default is read.
public enum PxReader {
    struct Keyword {
        var name: String
        var language: String?
        var arguments: [String]
        var values: [String]
        var raw: Substring
    }

    public static func read(bytes: [UInt8], file: String, options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
        let text = decode(bytes, forced: options.encoding)
        let keywords = try parseKeywords(text, file: file)
        func first(_ name: String, _ args: [String]? = nil) -> Keyword? {
            keywords.first { $0.name == name && $0.language == nil && (args == nil || $0.arguments == args!) }
        }
        guard let stubK = first("STUB") ?? first("HEADING"), let dataK = first("DATA") else {
            throw ReadError.malformed(file: file, part: nil, detail: "a PX file needs STUB or HEADING and DATA")
        }
        let stub = first("STUB") != nil ? stubK.values : []
        let heading = first("HEADING")?.values ?? []
        let variables = stub + heading
        var labels: [[String]] = []
        var codes: [[String]?] = []
        for v in variables {
            guard let vals = first("VALUES", [v])?.values, !vals.isEmpty else {
                throw ReadError.malformed(file: file, part: nil, detail: "VALUES(\"\(v)\") is missing")
            }
            labels.append(vals)
            var c = first("CODES", [v])?.values
            if c?.count != vals.count { c = nil }
            codes.append(c)
        }
        var metadata = PopulationTable.Metadata(source: file)
        metadata.tableId = first("MATRIX")?.values.first
        metadata.title = first("TITLE")?.values.first
        metadata.unit = first("UNITS")?.values.first.flatMap { $0.isEmpty ? nil : $0 } ?? first("CONTENTS")?.values.first
        metadata.referencePeriod = first("REFPERIOD")?.values.first
        for n in ["NOTEX", "NOTE"] { if let note = first(n)?.values.first { metadata.notes.append(note) } }
        let contVariable = first("CONTVARIABLE")?.values.first

        // Normalized keys per variable.
        var used: Set<String> = []
        var dimKeys: [String] = []
        for (i, v) in variables.enumerated() {
            let code = first("VARIABLECODE", [v])?.values.first
            var key: String
            if let role = ScbCsvReader.dimensionRole(v) ?? code.flatMap({ ScbCsvReader.dimensionRole($0) }) {
                key = ScbCsvReader.key(of: role)
            } else if first("TIMEVAL", [v]) != nil {
                key = "period"
            } else if v == contVariable {
                key = "contents"
            } else {
                key = ScbCsvReader.otherCode(code ?? v)
            }
            if !used.insert(key).inserted { key += "_\(i)" ; used.insert(key) }
            dimKeys.append(key)
        }
        var findings: [Finding] = []
        var regionNames: [String: String] = [:]
        var warned: Set<String> = []
        // Each variable's values as normalized keys.
        var normalized: [[String]] = []
        for (i, key) in dimKeys.enumerated() {
            var out: [String] = []
            for (j, label) in labels[i].enumerated() {
                let code = codes[i]?[j]
                switch key {
                case "region":
                    let raw = code.map { c in c + " " + label.drop { $0.isNumber || $0 == " " } } ?? label
                    if let (rc, name) = ScbCsvReader.region(raw, registry: options.registry, line: 0, file: file,
                                                            findings: &findings, warned: &warned) {
                        out.append(rc)
                        regionNames[rc] = regionNames[rc] ?? name ?? options.registry.region(code: rc)?.name
                    } else {
                        out.append(code ?? label)
                    }
                case "age":
                    if ScbLabels.marksCellKeyMethod(label) { metadata.cellKeyMethod = true }
                    out.append(ScbLabels.age(label))
                case "sex":
                    let s = ScbLabels.sex(label)
                    out.append(["male", "female", "total"].contains(s) ? s : ScbLabels.sex(code ?? label))
                case "period": out.append(ScbLabels.period(code ?? label) ?? ScbLabels.period(label) ?? (code ?? label))
                default: out.append(code ?? label)
                }
            }
            normalized.append(out)
        }
        // Findings from labels have no line: point at the VALUES keyword.
        findings = findings.map { var f = $0; f.location = "\(file): VALUES(\"region\")"; return f }

        // Output dimension order: region, age, sex, period, then the rest as the file has them.
        var order = ScbLabels.outputOrder(dimKeys)
        // A contents variable with a single value is the unit, not a dimension.
        if let c = dimKeys.firstIndex(of: "contents"), labels[c].count == 1 {
            metadata.unit = labels[c][0]
            order.removeAll { $0 == c }
        }
        let dims = order.map { dimKeys[$0] }

        let headingCount = heading.indices.reduce(1) { $0 * labels[stub.count + $1].count }
        let stubCounts = stub.indices.map { labels[$0].count }
        let headingCounts = heading.indices.map { labels[stub.count + $0].count }
        var observations: [Observation] = []
        let tokens = dataTokens(dataK.raw)
        let keysMode = keywords.contains { $0.name == "KEYS" && $0.language == nil }

        func emit(stubIndex: [Int], tokens row: ArraySlice<Token>, rowNumber: Int) throws {
            guard row.count == headingCount else {
                throw ReadError.malformed(file: file, part: "DATA",
                    detail: "row \(rowNumber) has \(row.count) values; HEADING needs \(headingCount)")
            }
            var h = [Int](repeating: 0, count: heading.count)
            for (k, token) in row.enumerated() {
                var all = stubIndex + h
                var keys: [String] = []
                keys.reserveCapacity(order.count)
                for i in order { keys.append(normalized[i][all[i]]) }
                all.removeAll()
                let cell = (rowNumber - 1) * headingCount + k + 1
                switch token {
                case .number(let text):
                    guard let v = ScbCsvReader.parseValue(text) else {
                        throw ReadError.malformed(file: file, part: "DATA", detail: "value \(cell) \"\(text)\" is not a number")
                    }
                    observations.append(Observation(keys: keys, value: v.integer, decimal: v.decimal, line: cell))
                case .symbol(let s):
                    observations.append(Observation(keys: keys, value: nil, symbol: s, line: cell))
                }
                // Next heading combination: the last heading variable varies fastest.
                var j = heading.count - 1
                while j >= 0 { h[j] += 1; if h[j] < headingCounts[j] { break }; h[j] = 0; j -= 1 }
            }
        }

        if keysMode {
            // Each data line starts with its stub keys (values or codes), then the heading values.
            var rowNumber = 0
            var t = 0
            let lookup: [[String: Int]] = stub.indices.map { i in
                var m: [String: Int] = [:]
                for (j, l) in labels[i].enumerated() { m[l] = j; if let c = codes[i]?[j] { m[c] = j } }
                return m
            }
            while t < tokens.count {
                rowNumber += 1
                var idx: [Int] = []
                for i in stub.indices {
                    guard t < tokens.count, case .symbol(let k) = tokens[t], let j = lookup[i][k] else {
                        throw ReadError.malformed(file: file, part: "DATA", detail: "row \(rowNumber): KEYS value for \(stub[i]) is not among its VALUES or CODES")
                    }
                    idx.append(j); t += 1
                }
                let end = min(t + headingCount, tokens.count)
                try emit(stubIndex: idx, tokens: tokens[t..<end], rowNumber: rowNumber)
                t = end
            }
        } else {
            let rows = stubCounts.reduce(1, *)
            guard tokens.count == rows * headingCount else {
                throw ReadError.malformed(file: file, part: "DATA",
                    detail: "\(tokens.count) values, but STUB and HEADING make \(rows) × \(headingCount) = \(rows * headingCount)")
            }
            var s = [Int](repeating: 0, count: stub.count)
            for r in 0..<rows {
                try emit(stubIndex: s, tokens: tokens[(r * headingCount)..<((r + 1) * headingCount)], rowNumber: r + 1)
                var j = stub.count - 1
                while j >= 0 { s[j] += 1; if s[j] < stubCounts[j] { break }; s[j] = 0; j -= 1 }
            }
        }
        let table = PopulationTable(metadata: metadata, dimensions: dims, observations: observations, regionNames: regionNames)
        return ScbImport(table: table, findings: findings)
    }

    enum Token: Equatable { case number(String), symbol(String) }

    /// DATA values: numbers, quoted symbols ("-", "..") and bare dot symbols, separated by
    /// white space, commas or semicolons.
    static func dataTokens(_ raw: Substring) -> [Token] {
        var out: [Token] = []
        var current = ""
        var inQuote = false
        var quoted = false
        func flush() {
            if !current.isEmpty || quoted {
                if quoted || current.allSatisfy({ $0 == "." }) || current == "-" {
                    out.append(.symbol(current))
                } else {
                    out.append(.number(current))
                }
            }
            current = ""; quoted = false
        }
        for ch in raw {
            if inQuote {
                if ch == "\"" { inQuote = false } else { current.append(ch) }
                continue
            }
            if ch.isWhitespace || ch == "," || ch == ";" { flush(); continue }
            if ch == "\"" { inQuote = true; quoted = true } else { current.append(ch) }
        }
        flush()
        return out
    }

    static func decode(_ bytes: [UInt8], forced: TextEncoding?) -> String {
        if let forced { return TextDecoding.decode(bytes, as: forced).0 }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return TextDecoding.decode(bytes, as: .utf8BOM).0 }
        let head = String(decoding: bytes.prefix(4096).map { $0 < 128 ? $0 : 32 }, as: UTF8.self).uppercased()
        if head.contains("CODEPAGE=\"UTF-8\"") || head.contains("CODEPAGE=\"UTF8\"") { return TextDecoding.decode(bytes, as: .utf8).0 }
        if head.contains("CODEPAGE=") || head.contains("CHARSET=\"ANSI\"") {
            return TextDecoding.decode(bytes, as: TextDecoding.isValidUTF8(bytes) ? .utf8 : .windows1252).0
        }
        return TextDecoding.decode(bytes).0
    }

    /// Splits the file into keywords: `NAME[lang]("arg",…)=value;`, where a value is a list of
    /// quoted strings (adjacent ones joined) and bare words.
    static func parseKeywords(_ text: String, file: String) throws -> [Keyword] {
        var out: [Keyword] = []
        var i = text.startIndex
        func skipSpace() { while i < text.endIndex, text[i].isWhitespace { i = text.index(after: i) } }
        while true {
            skipSpace()
            guard i < text.endIndex else { break }
            // Name, language, arguments.
            let nameStart = i
            while i < text.endIndex, text[i] != "=", text[i] != "[", text[i] != "(" { i = text.index(after: i) }
            guard i < text.endIndex else {
                throw ReadError.malformed(file: file, part: nil, detail: "keyword \(text[nameStart...].prefix(30)) has no '='")
            }
            let name = String(text[nameStart..<i]).trimmingCharacters().uppercased()
            var language: String? = nil
            var arguments: [String] = []
            if text[i] == "[" {
                let s = text.index(after: i)
                guard let e = text[s...].firstIndex(of: "]") else { throw ReadError.malformed(file: file, part: name, detail: "unclosed '['") }
                language = String(text[s..<e]); i = text.index(after: e)
            }
            if i < text.endIndex, text[i] == "(" {
                let s = text.index(after: i)
                var j = s, inQ = false
                while j < text.endIndex, inQ || text[j] != ")" { if text[j] == "\"" { inQ.toggle() }; j = text.index(after: j) }
                guard j < text.endIndex else { throw ReadError.malformed(file: file, part: name, detail: "unclosed '('") }
                arguments = splitList(text[s..<j])
                i = text.index(after: j)
            }
            skipSpace()
            guard i < text.endIndex, text[i] == "=" else { throw ReadError.malformed(file: file, part: name, detail: "expected '='") }
            i = text.index(after: i)
            // The value runs to the first ';' outside quotes.
            let vs = i
            var inQ = false
            while i < text.endIndex, inQ || text[i] != ";" { if text[i] == "\"" { inQ.toggle() }; i = text.index(after: i) }
            let raw = text[vs..<i]
            if i < text.endIndex { i = text.index(after: i) }
            out.append(Keyword(name: name, language: language, arguments: arguments,
                               values: name == "DATA" ? [] : splitList(raw), raw: raw))
        }
        return out
    }

    /// `"a","b" "c",TLIST(A1),12` → ["a", "bc", "TLIST(A1)", "12"]: adjacent quoted strings
    /// (a string continued on the next line) join.
    static func splitList(_ s: Substring) -> [String] {
        var out: [String] = []
        var current = ""
        var inQ = false
        var pendingJoin = false
        var depth = 0
        for ch in s {
            if inQ {
                if ch == "\"" { inQ = false; pendingJoin = true } else { current.append(ch) }
                continue
            }
            switch ch {
            case "\"": inQ = true
            case "(": depth += 1; current.append(ch)
            case ")": depth -= 1; current.append(ch)
            case "," where depth == 0:
                out.append(current); current = ""; pendingJoin = false
            case _ where ch.isWhitespace: if !pendingJoin && !current.isEmpty && depth > 0 { current.append(ch) }
            default: current.append(ch); pendingJoin = false
            }
        }
        if !current.isEmpty || pendingJoin || !out.isEmpty { out.append(current) }
        return out
    }
}
