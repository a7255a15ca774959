// Budget recognition and its checks (BudgetRecognizer) over a workbook: xlsx when the input
// is a zip package, else CSV (whose cells the fuzzer controls directly).
import AnslagCore

func fuzzBudget(_ bytes: [UInt8]) {
    let zip = bytes.starts(with: [0x50, 0x4B])
    guard let r = try? openSpreadsheet(.bytes(bytes, name: zip ? "fuzz.xlsx" : "fuzz.csv"), format: zip ? .xlsx : .csv) else { return }
    _ = try? BudgetRecognizer().read(r)
}
