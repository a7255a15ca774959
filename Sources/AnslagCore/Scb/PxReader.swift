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
        var reader = try PxTableReader(bytes: bytes, file: file, options: options)
        return try reader.read()
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
