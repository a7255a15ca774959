/// Closing tables (their layout, unit note, merging under a grand total), handing out their
/// lines at the end of the sheet, and checking change rows.
extension TableScan {
    /// Closes the open table: its parent rows and row relations found and checked first.
    mutating func closeOpen() {
        resolveParents()
        checkRowRelations(table!)
        close(table!)
    }

    mutating func close(_ o: OpenTable) {
        var t = o
        let layout: BudgetTable.Layout = t.isAllocation ? .allocation
            : (t.header.count >= 3 && t.header.values.contains { BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold($0)) } || t.yearRows.count >= 2) ? .matrix
            : (t.hasHeadings || t.totals > 1) ? .sectioned : .list
        guard t.dataRows > 0 else {
            store.removeSubrange(t.linesStart...)
            return
        }
        let firstColumn = t.firstColumn == Int.max ? 0 : t.firstColumn
        if t.unitSource == nil && !unitAssumedSaid && store[t.linesStart...].contains(where: { $0.amount != nil }) {
            unitAssumedSaid = true
            findings.append(ReportFinding(code: .unitAssumed, severity: .info, file: sheet.file, sheet: name, cell: a1(t.start, firstColumn),
                                          message: "no unit stated (such as \"tkr\" or \"i tusental kronor\") for the table at \(a1(t.start, firstColumn))\(closedTables.isEmpty ? "" : " and after it"); amounts read as kronor"))
        }
        var layoutKind = layout
        var start = t.start
        var header = t.header.map { BudgetColumn(column: CellPosition.columnName($0.key), text: $0.value) }
        if let from = t.mergeFrom {
            // A grand total over subtotals of the tables before (sections split by blank
            // rows and headings): one sectioned table, titled and headed as the first; the later
            // ones' titles become section headings.
            while let previous = closedTables.last, previous.endRow >= from {
                closedTables.removeLast()
                t.totalRows.formUnion(previous.totalRows)
                start = previous.startRow
                t.firstColumn = min(t.firstColumn, previous.startColumn)
                t.linesStart = previous.lines.lowerBound
                t.title = previous.table.title
                if !previous.table.header.isEmpty { header = previous.table.header }
                layoutKind = .sectioned
            }
        }
        let lines = t.linesStart..<store.count
        // Areas are the columns of matrices; elsewhere a header names the amount column
        // ("Belopp"), not an area.
        if layoutKind != .matrix {
            for i in lines where store[i].area != nil { store[i].area = nil }
        }
        // The last total row of a table holds its totals; earlier total rows are subtotals.
        if let last = t.totalRows.max() {
            for i in lines where store[i].role == .total {
                if let p = store[i].position, t.totalRows.contains(p.row), p.row != last {
                    store[i].role = .subtotal
                }
            }
        }
        let range = "\(a1(start, min(firstColumn, t.firstColumn == Int.max ? 0 : t.firstColumn))):\(a1(t.end, t.lastColumn))"
        closedTables.append(ClosedTable(
            table: BudgetTable(sheet: name, hidden: sheet.info.state != .visible, layout: layoutKind, title: t.title,
                               range: range, unit: t.unit, unitSource: t.unitSource, header: header, lines: []),
            lines: lines, totalRows: t.totalRows, startRow: start, endRow: t.end, startColumn: min(firstColumn, t.firstColumn == Int.max ? 0 : t.firstColumn)))
    }

    /// Closes the last table, hands each table its lines, and checks the change rows.
    mutating func finish() {
        if table != nil { closeOpen() }
        table = nil
        // Each table's lines, moved out of the store (a title line shows only in merged tables).
        let filler = BudgetLine(label: "", amount: nil, sheet: "", at: CellPosition(row: 0, column: 0), role: .line)
        tables.reserveCapacity(closedTables.count)
        if closedTables.count == 1, closedTables[0].lines == store.indices {
            // One table (the common case): its lines are the store.
            var t = closedTables[0].table
            if closedTables[0].table.title != nil { store.removeFirst() }
            swap(&t.lines, &store)
            tables.append(t)
        } else {
            for c in closedTables {
                var t = c.table
                t.lines = store.moveOut((c.lines.lowerBound + (c.table.title != nil ? 1 : 0))..<c.lines.upperBound, filler: filler)
                tables.append(t)
            }
        }
        checkChangeRows()
    }

    /// Change rows: the difference of the two year rows, column by column (by area name).
    mutating func checkChangeRows() {
        for (row, header, unit, _) in changeRows {
            let ys = BudgetRecognizer.years(in: row.label ?? "")
            guard ys.count >= 2 else { continue }
            let (y1, y2) = (ys[0], ys[1])
            guard let r1 = yearRows.last(where: { $0.year == y1 && $0.row < row.index }) ?? yearRows.first(where: { $0.year == y1 }),
                  let r2 = yearRows.last(where: { $0.year == y2 && $0.row < row.index }) ?? yearRows.first(where: { $0.year == y2 }) else { continue }
            for c in row.amounts {
                guard let stated = ScanCell.kronor(row[c], unit: unit) else { continue }
                func column(in h: ColumnMap<String>) -> Int? {
                    guard let area = header[c] else { return c }
                    if h[c] == area { return c }
                    return h.first { BudgetRecognizer.fold($0.value) == BudgetRecognizer.fold(area) }?.key
                }
                guard let c1 = column(in: r1.header), let c2 = column(in: r2.header),
                      let v1 = ScanCell.kronor(rows[r1.row][c1], unit: unit),
                      let v2 = ScanCell.kronor(rows[r2.row][c2], unit: unit) else { continue }
                let computed = v2 - v1
                let flagged = Set(findings.filter { $0.severity == .error }.compactMap(\.cell))
                if flagged.contains(a1(r1.row, c1)) || flagged.contains(a1(r2.row, c2)) { continue }   // reported already; no cascade
                if stated != computed {
                    report(code: .changeMismatch, row: row.index, column: c, stated: stated, computed: computed,
                           lines: "\(a1(r2.row, c2)) − \(a1(r1.row, c1))", unit: unit,
                           what: "\(row.label ?? ""): \(y2) − \(y1)\(header[c].map { " for \($0)" } ?? "")")
                }
            }
        }
    }
}
