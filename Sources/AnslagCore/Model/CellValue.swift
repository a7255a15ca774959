/// One cell's value as a spreadsheet shows it, independent of the file format.
public enum CellValue: Equatable, Sendable {
    case empty
    case string(String)
    /// A plain number. Spreadsheet numbers are IEEE doubles in the file itself;
    /// money is never computed with this value (see `Money`).
    case number(Double)
    case bool(Bool)
    /// An error value such as `#DIV/0!`, kept as its text.
    case error(String)
    /// A date, date-time or time, from a date number format, a `t="d"` cell or an ODS date.
    case dateTime(DateTimeValue)
    /// An elapsed time (`[h]:mm:ss` formats, ODS durations), in seconds.
    case duration(Double)

    public var isEmpty: Bool {
        if case .empty = self { return true }
        if case .string(let s) = self { return s.isEmpty }
        return false
    }
}

/// A cell: its value and, when the cell holds a formula, the formula text (without `=`).
public struct Cell: Equatable, Sendable {
    public var value: CellValue
    public var formula: String?
}

// In an extension, calling the memberwise initialiser: one in the struct's body copied the
// cell it had built (callgrind: a copy and a release per cell read).
extension Cell {
    public init(_ value: CellValue, formula: String? = nil) {
        self.init(value: value, formula: formula)
    }
}

/// A calendar date and time of day, exact to the microsecond, with what the cell showed:
/// a date, a date and time, or a time of day only.
public struct DateTimeValue: Equatable, Sendable {
    public enum Kind: Sendable { case date, dateTime, time }
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int, microsecond: Int
    public var kind: Kind

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                microsecond: Int = 0, kind: Kind) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second
        self.microsecond = microsecond; self.kind = kind
    }

    /// ISO 8601 text: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` or `HH:MM:SS`, with `.ffffff` when
    /// the time has a fraction of a second.
    public var iso: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        var time = "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if microsecond != 0 { time += "." + pad(microsecond, 6) }
        switch kind {
        case .date: return date
        case .dateTime: return date + "T" + time
        case .time: return time
        }
    }
}
