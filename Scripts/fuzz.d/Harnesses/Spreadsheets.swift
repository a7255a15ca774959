// The spreadsheet readers, each through openSpreadsheet as the tools call it.
import AnslagCore

func fuzzXlsx(_ bytes: [UInt8]) {
    guard let r = try? openSpreadsheet(.bytes(bytes, name: "fuzz.xlsx"), format: .xlsx) else { return }
    readAllSheets(r)
}

func fuzzOds(_ bytes: [UInt8]) {
    guard let r = try? openSpreadsheet(.bytes(bytes, name: "fuzz.ods"), format: .ods) else { return }
    readAllSheets(r)
}

/// xls (BIFF in a compound file): the format is recognised by its signature.
func fuzzXls(_ bytes: [UInt8]) {
    guard let r = try? openSpreadsheet(.bytes(bytes, name: "fuzz.xls")) else { return }
    readAllSheets(r)
}

func fuzzCsv(_ bytes: [UInt8]) {
    guard let r = try? openSpreadsheet(.bytes(bytes, name: "fuzz.csv"), format: .csv) else { return }
    readAllSheets(r)
}
