/// Splits a selection into pages of at most `maxDataCells` cells (halving the largest value
/// list of a page until it fits), and joins the pages' replies back into one document: one
/// JSON-stat 2.0 dataset with the whole selection's categories, or one CSV with one header.
enum PxWebPaging {
    typealias Selection = [(String, [String])]

    static func cells(_ s: Selection, query: String) throws -> Int {
        var n = 1
        for (_, codes) in s {
            let (p, o) = n.multipliedReportingOverflow(by: codes.count)
            if o { throw FetchError("\(query): the selection is too large to count") }
            n = p
        }
        return n
    }

    static func pages(_ selection: Selection, maxCells: Int, query: String) throws -> [Selection] {
        var done: [Selection] = []
        var todo: [Selection] = [selection]
        while let page = todo.popLast() {
            if try cells(page, query: query) <= maxCells { done.append(page); continue }
            guard let (d, _) = page.enumerated().map({ ($0.offset, $0.element.1.count) }).max(by: { $0.1 < $1.1 }), page[d].1.count > 1 else {
                throw FetchError("\(query): too many cells for one request (the API allows \(maxCells)) and nothing left to split")
            }
            let codes = page[d].1
            let half = codes.count / 2
            var a = page, b = page
            a[d].1 = Array(codes[..<half]); b[d].1 = Array(codes[half...])
            todo.append(b); todo.append(a)   // a first: pages stay in the table's order
            if done.count + todo.count > 10_000 { throw FetchError("\(query): more than 10 000 pages; narrow the selection") }
        }
        return done
    }

    /// The whole selection, fetched page by page through `fetch` (one request per page, in the
    /// table's order) and joined: what both API versions do once they know their cell limit.
    static func fetchAll(_ selection: Selection, maxCells: Int, format: PxWebFormat, query: String,
                         _ fetch: (Selection) throws -> [UInt8]) throws -> (body: [UInt8], pages: Int) {
        let pages = try Self.pages(selection, maxCells: maxCells, query: query)
        if pages.count > 1 && format == .px {
            throw FetchError("\(query): \(pages.count) pages of at most \(maxCells) cells; PX cannot be joined, fetch as json-stat2 or csv")
        }
        var bodies: [[UInt8]] = []
        for page in pages { bodies.append(try fetch(page)) }
        return (pages.count == 1 ? bodies[0] : try merge(bodies, format: format, query: query), pages.count)
    }

    static func merge(_ bodies: [[UInt8]], format: PxWebFormat, query: String) throws -> [UInt8] {
        switch format {
        case .csv: return mergeCSV(bodies)
        case .jsonStat: return try mergeJSONStat(bodies, query: query)
        case .px: throw FetchError("\(query): PX pages cannot be joined")
        }
    }

    /// The first page whole, then each later page without its header line.
    static func mergeCSV(_ bodies: [[UInt8]]) -> [UInt8] {
        var out = bodies[0]
        if let last = out.last, last != 10 { out.append(10) }
        for b in bodies.dropFirst() {
            var body = b
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
            guard let nl = body.firstIndex(of: 10) else { continue }
            out += body[(nl + 1)...]
            if let last = out.last, last != 10 { out.append(10) }
        }
        return out
    }

    /// Datasets whose categories are parts of one selection: the whole categories in page
    /// order, each page's values put at their place in the whole.
    static func mergeJSONStat(_ bodies: [[UInt8]], query: String) throws -> [UInt8] {
        let docs = try bodies.map { b -> JSONValue in
            do { return try JSONValue.parse(b) } catch { throw FetchError("\(query): a page's reply is not JSON") }
        }
        guard let ids = docs[0]["id"]?.array?.compactMap(\.string) else { throw FetchError("\(query): a page is not JSON-stat") }
        // Whole categories per dimension, in the order the pages bring them.
        var whole = [[String]](repeating: [], count: ids.count)
        var labels = [[String: JSONValue]](repeating: [:], count: ids.count)
        var pageCodes: [[[String]]] = []
        for doc in docs {
            var codesOfPage: [[String]] = []
            for (n, id) in ids.enumerated() {
                let c = doc["dimension"]?[id]?["category"]
                let codes: [String]
                if let list = c?["index"]?.array { codes = list.compactMap(\.string) }
                else { codes = (c?["index"]?.members ?? []).sorted { ($0.1.int ?? 0) < ($1.1.int ?? 0) }.map(\.0) }
                for code in codes where !whole[n].contains(code) { whole[n].append(code) }
                for (k, v) in c?["label"]?.members ?? [] { labels[n][k] = v }
                codesOfPage.append(codes)
            }
            pageCodes.append(codesOfPage)
        }
        let sizes = whole.map(\.count)
        let total = try cells(sizes.map { ("", Array(repeating: "", count: $0)) }, query: query)
        var values = [JSONOut](repeating: .null, count: total)
        var status: [(Int, String)] = []
        let position = whole.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, $0) }) }
        for (p, doc) in docs.enumerated() {
            let codes = pageCodes[p]
            let pageValues = doc["value"]?.array ?? []
            let pageStatus = doc["status"]
            var index = [Int](repeating: 0, count: ids.count)
            for i in 0..<pageValues.count {
                var target = 0
                for n in ids.indices { target = target * sizes[n] + position[n][codes[n][index[n]]]! }
                values[target] = out(pageValues[i])
                if let s = pageStatus?[String(i)]?.string ?? pageStatus?.array?[i].string { status.append((target, s)) }
                var j = ids.count - 1
                while j >= 0 { index[j] += 1; if index[j] < codes[j].count { break }; index[j] = 0; j -= 1 }
            }
        }
        // The first page's other members, with the whole categories, sizes and values.
        var members: [(String, JSONOut)] = []
        for (k, v) in docs[0].members ?? [] {
            switch k {
            case "size": members.append((k, .array(sizes.map { .int(Int64($0)) })))
            case "value": members.append((k, .array(values)))
            case "status": members.append((k, .object(status.map { (String($0.0), .string($0.1)) })))
            case "dimension":
                members.append((k, .object(ids.enumerated().map { n, id in
                    let dim = v[id] ?? .object([])
                    return (id, .object((dim.members ?? []).map { dk, dv in
                        guard dk == "category" else { return (dk, out(dv)) }
                        var cat: [(String, JSONOut)] = [("index", .object(whole[n].enumerated().map { ($1, .int(Int64($0))) })),
                                                        ("label", .object(whole[n].map { ($0, labels[n][$0].map(out) ?? .string($0)) }))]
                        for (ck, cv) in dv.members ?? [] where ck != "index" && ck != "label" { cat.append((ck, out(cv))) }
                        return (dk, .object(cat))
                    }))
                })))
            default: members.append((k, out(v)))
            }
        }
        if docs[0]["status"] == nil && !status.isEmpty { members.append(("status", .object(status.map { (String($0.0), .string($0.1)) }))) }
        return JSONOut.object(members).bytes()
    }

    static func out(_ v: JSONValue) -> JSONOut {
        switch v {
        case .object(let m): return .object(m.map { ($0.key, out($0.value)) })
        case .array(let a): return .array(a.map(out))
        case .string(let s): return .string(s)
        case .number(let n): return .number(n)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }
}
