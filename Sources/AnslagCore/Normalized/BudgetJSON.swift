/// Budget JSON back into the model (`anslag-export`'s input).
enum BudgetJSON {
    static func line(_ l: JSONValue, _ lp: String, _ bad: (String, String) -> ReadError) throws -> BudgetLine {
        func text(_ v: JSONValue?, _ path: String, optional: Bool = false) throws -> String? {
            try NormalizedJSON.string(v, path, optional: optional, bad)
        }
        guard l.members != nil else { throw bad(lp, "expected an object") }
        let amount = try NormalizedJSON.money(l["amount"], "\(lp).amount", bad)
        guard let role = BudgetLine.Role(rawValue: try text(l["role"], "\(lp).role")!) else { throw bad("\(lp).role", "expected line, subtotal, total, change, note, heading or breakdown") }
        func year(_ key: String) throws -> Int? {
            switch l[key] {
            case nil, .null?: return nil
            case .number(let n)?: guard let y = Int(n) else { throw bad("\(lp).\(key)", "expected a year") }; return y
            default: throw bad("\(lp).\(key)", "expected a year or null")
            }
        }
        var column: BudgetLine.Column?
        if let head = try text(l["column_head"], "\(lp).column_head", optional: true) {
            var kind: BudgetLine.ColumnKind?
            if let k = try text(l["column_kind"], "\(lp).column_kind", optional: true) {
                guard let known = BudgetLine.ColumnKind(rawValue: k) else { throw bad("\(lp).column_kind", "is not a column kind") }
                kind = known
            }
            column = BudgetLine.Column(head: head, year: try year("column_year"), kind: kind)
        }
        return BudgetLine(label: try text(l["label"], "\(lp).label")!, amount: amount,
                          cell: try text(l["cell"], "\(lp).cell")!, role: role, year: try year("year"),
                          area: try text(l["area"], "\(lp).area", optional: true), key: try text(l["key"], "\(lp).key", optional: true),
                          sumOf: try text(l["sum_of"], "\(lp).sum_of", optional: true), text: try text(l["text"], "\(lp).text", optional: true), column: column)
    }

    static func read(_ root: JSONValue, _ bad: (String, String) -> ReadError) throws -> Budget {
        func text(_ v: JSONValue?, _ path: String, optional: Bool = false) throws -> String? {
            try NormalizedJSON.string(v, path, optional: optional, bad)
        }
        guard root["version"]?.int == 1 else { throw bad("$.version", "expected 1") }
        let file = try text(root["file"], "$.file")!
        guard let sheetList = root["sheets"]?.array else { throw bad("$.sheets", "expected a list of sheets") }
        let sheets = try sheetList.enumerated().map { i, s -> SheetInfo in
            let name = try text(s["name"], "$.sheets[\(i)].name")!
            guard let state = SheetState(rawValue: try text(s["state"], "$.sheets[\(i)].state")!) else { throw bad("$.sheets[\(i)].state", "expected visible, hidden or veryHidden") }
            return SheetInfo(name: name, state: state)
        }
        guard let tableList = root["tables"]?.array else { throw bad("$.tables", "expected a list of tables") }
        let tables = try tableList.enumerated().map { i, t -> BudgetTable in
            let p = "$.tables[\(i)]"
            guard let layout = BudgetTable.Layout(rawValue: try text(t["layout"], "\(p).layout")!) else { throw bad("\(p).layout", "expected list, sectioned, matrix or allocation") }
            guard let unit = AmountUnit(rawValue: try text(t["unit"], "\(p).unit")!) else { throw bad("\(p).unit", "expected kronor, tkr or mnkr") }
            guard case .bool(let hidden)? = t["hidden"] else { throw bad("\(p).hidden", "expected true or false") }
            guard let headerList = t["header"]?.array else { throw bad("\(p).header", "expected a list") }
            let header = try headerList.enumerated().map { k, h in
                BudgetColumn(column: try text(h["column"], "\(p).header[\(k)].column")!, text: try text(h["text"], "\(p).header[\(k)].text")!)
            }
            guard let lineList = t["lines"]?.array else { throw bad("\(p).lines", "expected a list of lines") }
            let lines = try lineList.enumerated().map { k, l in try line(l, "\(p).lines[\(k)]", bad) }
            return BudgetTable(sheet: try text(t["sheet"], "\(p).sheet")!, hidden: hidden, layout: layout,
                               title: try text(t["title"], "\(p).title", optional: true), range: try text(t["range"], "\(p).range")!,
                               unit: unit, unitSource: try text(t["unit_source"], "\(p).unit_source", optional: true),
                               header: header, lines: lines)
        }
        return Budget(file: file, sheets: sheets, tables: tables)
    }
}
