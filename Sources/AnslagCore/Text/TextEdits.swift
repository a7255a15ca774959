/// Small text edits every layer uses (quoting for sheet references and CSV, trimming).
extension String {
    func replacingApostrophes() -> String { String(flatMap { $0 == "'" ? ["'", "'"] : [$0] }) }

    func replacingQuotes() -> String { String(flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) }

    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.last, set.contains(c) || c == " " { s.removeLast() }
        return String(s)
    }

    func replacingBackslashes() -> String {
        guard utf8.contains(UInt8(ascii: "\\")) else { return self }
        return String(map { $0 == "\\" ? "/" : $0 })
    }

    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.last, c.isWhitespace { s.removeLast() }
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        return String(s)
    }
}
