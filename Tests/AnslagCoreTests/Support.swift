@testable import AnslagCore

/// The package root, found from this file's path.
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

func fixture(_ path: String) -> String { packageRoot + "/Fixtures/" + path }

func open(_ path: String) throws -> any SpreadsheetReader {
    try openSpreadsheet(.path(fixture(path)))
}

/// The values of a sheet as plain Swift values, for comparing with literals.
func values(_ sheet: Sheet) -> [[CellValue]] { sheet.rows.map { $0.map(\.value) } }

func date(_ y: Int, _ m: Int, _ d: Int) -> CellValue { .dateTime(DateTimeValue(year: y, month: m, day: d, kind: .date)) }
func dateTime(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> CellValue {
    .dateTime(DateTimeValue(year: y, month: m, day: d, hour: h, minute: mi, second: s, kind: .dateTime))
}
func time(_ h: Int, _ mi: Int, _ s: Int) -> CellValue {
    .dateTime(DateTimeValue(year: 0, month: 0, day: 0, hour: h, minute: mi, second: s, kind: .time))
}
