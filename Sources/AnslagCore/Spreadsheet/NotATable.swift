/// Files that are not tables, recognised before they would be read as CSV: a README, a rule
/// file, Anslag's own JSON, a PX file, a script. Read as text they give "tables" of prose, so
/// "valid" would say nothing; they are refused with one line saying what the file is.
enum NotATable {
    /// What a file is when it is plainly not a spreadsheet or a delimited table, from its
    /// extension (lowercased, without the dot) and its first bytes; nil when it may be one.
    static func what(ext: String, head: [UInt8]) -> String? {
        if let byName = byExtension[ext] { return byName }
        if let byBytes = binary(head) { return byBytes }
        return byText(head)
    }

    /// The extensions that say the file is something else, whatever it holds.
    static let byExtension: [String: String] = {
        var m: [String: String] = [:]
        for e in ["md", "markdown", "rst", "adoc"] { m[e] = "a text document (.\(e)), not a table" }
        for e in ["yaml", "yml"] { m[e] = "a YAML file (.\(e)), not a table: a rule or layout file is given as such, not read as a budget" }
        for e in ["json", "jsonstat"] { m[e] = "a JSON file (.\(e)), not a spreadsheet" }
        m["px"] = "a PX file (SCB statistics), not a budget spreadsheet"
        for e in ["html", "htm", "xhtml", "xml"] {
            m[e] = "an \(e == "xml" ? "XML" : "HTML") file (.\(e)), not a spreadsheet; open it in a spreadsheet program and save it as .xlsx"
        }
        for e in ["swift", "py", "sh", "bash", "c", "h", "js", "ts", "rb", "pl", "java", "go", "rs"] {
            m[e] = "program source (.\(e)), not a table"
        }
        for e in ["toml", "ini", "cfg", "conf"] { m[e] = "a configuration file (.\(e)), not a table" }
        for e in ["png", "jpg", "jpeg", "gif", "tif", "tiff", "bmp", "webp"] {
            m[e] = "an image (.\(e)), not a spreadsheet; a scanned table needs OCR first"
        }
        return m
    }()

    /// Binary signatures that are not spreadsheets (images, compressed files).
    static func binary(_ head: [UInt8]) -> String? {
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "an image (PNG), not a spreadsheet; a scanned table needs OCR first" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "an image (JPEG), not a spreadsheet; a scanned table needs OCR first" }
        if head.starts(with: Array("GIF8".utf8)) { return "an image (GIF), not a spreadsheet" }
        if head.starts(with: [0x1F, 0x8B]) { return "a gzip-compressed file, not a spreadsheet; unpack it first" }
        return nil
    }

    /// Text whose first lines say what it is: `#!`, JSON, XML or HTML, YAML, a PX header,
    /// a Markdown heading. Anything else may be a delimited table.
    static func byText(_ head: [UInt8]) -> String? {
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard let first = lines.first else { return nil }
        if first.hasPrefix("#!") { return "a script (it starts with #!), not a table" }
        if first.hasPrefix("{") || (first.hasPrefix("[") && jsonArrayStart(first)) { return "a JSON file, not a spreadsheet" }
        let lower = first.lowercased()
        if lower.hasPrefix("<?xml") || lower.hasPrefix("<!doctype") || lower.hasPrefix("<html") {
            return "an \(lower.contains("html") ? "HTML" : "XML") file, not a spreadsheet; open it in a spreadsheet program and save it as .xlsx"
        }
        if first == "---" || first.hasPrefix("%YAML") { return "a YAML file, not a table" }
        let pxKeys = ["CHARSET=", "AXIS-VERSION=", "MATRIX=", "LANGUAGE=", "SUBJECT-CODE="]
        if lines.prefix(5).contains(where: { l in pxKeys.contains { l.hasPrefix($0) } }) {
            return "a PX file (SCB statistics), not a budget spreadsheet"
        }
        if first.hasPrefix("# ") || first.hasPrefix("## ") { return "a text document (a Markdown heading on the first line), not a table" }
        if lines.count >= 3, !text.contains(";"), !text.contains("\t"),
           lines.prefix(20).allSatisfy({ yamlLine($0) }) {
            return "a YAML file (key: value lines), not a table"
        }
        return nil
    }

    /// `[` followed by what a JSON array holds, not `[Sheet]`-like text.
    static func jsonArrayStart(_ line: String) -> Bool {
        guard let next = line.dropFirst().first(where: { $0 != " " && $0 != "\t" }) else { return true }
        return next == "{" || next == "[" || next == "\"" || next == "]" || next.isNumber
    }

    /// `key: value`, `key:`, `- item` or a `#` comment: the lines a YAML file is made of.
    static func yamlLine(_ line: String) -> Bool {
        if line.hasPrefix("#") || line.hasPrefix("- ") || line == "-" { return true }
        guard let colon = line.firstIndex(of: ":") else { return false }
        let key = line[..<colon]
        guard let c = key.first, c.isLetter || c == "_" || c == "\"",
              key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "\"" || $0 == " " }) else { return false }
        let after = line[line.index(after: colon)...]
        return after.isEmpty || after.first == " "
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
