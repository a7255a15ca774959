import Testing
#if canImport(Glibc)
import Glibc
#endif
import AnslagCore

@Suite("anslag-export end to end")
struct ExportEndToEndTests {
    @Test func populationJSONRoundTripsAndConverts() throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let json = dir + "/p.json"
        _ = try Tool.run("anslag-scb", [Tool.fixture("scb/symbols-footnotes.csv"), "-o", json])
        // JSON in, the same JSON out.
        let again = try Tool.run("anslag-export", [json, "--to", "json"])
        #expect(again.status == 0)
        #expect(Array(again.stdout.utf8) == (try FileInput.read(path: json)))
        // Swedish CSV: ';', BOM, CRLF.
        let sv = try Tool.run("anslag-export", [json, "--to", "csv", "--locale", "sv"])
        #expect(sv.stdout == "\u{FEFF}region;region_name;age;period;value;symbol\r\n1060;Olofström;0;2023;120;\r\n1060;Olofström;1;2023;;..\r\n"
                + "1060;Olofström;2;2023;;-\r\n1060;Olofström;3+;2023;;\r\n1060;Olofström;total;2023;;.\r\n")
        // xlsx, read back by Anslag's own reader: the heads and the age total in Swedish.
        // The provenance block on top (the run date injected as reproducible builds do:
        // 1 764 633 600 s = 2025-12-02), a blank row, then the rows as before.
        let xlsx = try Tool.runAny("SOURCE_DATE_EPOCH=1764633600", [Tool.binDirectory + "/anslag-export", json, "-o", dir + "/p.xlsx"])
        #expect(xlsx.status == 0)
        let version = try Tool.run("anslag-export", ["--version"]).stdout.filter { $0 != "\n" }
        let back = try Tool.run("anslag-convert", [dir + "/p.xlsx"])
        #expect(back.stdout == "Befolkning\r\n\"Källfil: \(Tool.fixture("scb/symbols-footnotes.csv")), tabell BE0101N1, referensperiod 2023\"\r\n"
                + "\"Skapad av anslag-export \(version), körd 2025-12-02\"\r\n\r\n"
                + "Region,Regionnamn,Ålder,Period,Antal,Symbol\r\n1060,Olofström,0,2023,120\r\n1060,Olofström,1,2023,,..\r\n"
                + "1060,Olofström,2,2023,,-\r\n1060,Olofström,3+,2023\r\n1060,Olofström,totalt,2023,,.\r\n")
    }

    @Test func decimalsWithACommaForSwedishExcel() throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let json = dir + "/g.json"
        let doc = ##"{"sheets":[{"name":"Blad1","state":"visible","rows":[["Post","Belopp"],["Resor",2500000.5],["Summa",3700000]]}]}"##
        let f = fopen(json, "w")!; fputs(doc + "\n", f); fclose(f)
        let r = try Tool.run("anslag-export", [json, "--to", "csv", "--locale", "sv"])
        #expect(r.stdout == "\u{FEFF}Post;Belopp\r\nResor;2500000,5\r\nSumma;3700000\r\n")
        let c = try Tool.run("anslag-export", [json, "--to", "csv"])
        #expect(c.stdout == "Post,Belopp\r\nResor,2500000.5\r\nSumma,3700000\r\n")
    }

    @Test func invalidInputExitsTwoNamingTheJSONPath() throws {
        let r = try Tool.run("anslag-export", ["-", "--to", "json"], stdin: #"{"kind":"population","source":"s","dimensions":["region"],"observations":[{"region":"01","value":"12"}]}"#)
        #expect(r.status == 2)
        #expect(r.stderr == "anslag-export: <stdin>: $.observations[0].value: expected a number or null\n")
        #expect(r.stdout == "")
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let out = dir + "/never.xlsx"
        let bad = try Tool.run("anslag-export", ["-", "-o", out], stdin: "{\"kind\":\"budget\"}")
        #expect(bad.status == 2)
        #expect(access(out, F_OK) != 0)
    }
}

@Suite("anslag-export: budget charts")
struct BudgetChartEndToEndTests {
    // A table's chart shows its lines by area, never the Summa bar, from a hidden data sheet,
    // with the value axis in #,##0. sectioned-ok.xlsx: six regions and kommunalförbund lines
    // under "Totalt regioner", "Totalt kommunalförbund" and "Totalt".
    @Test func aTablesChartHasItsLinesNotItsTotals() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        #expect(try Tool.run("anslag-import", [Tool.fixture("budget/sectioned-ok.xlsx"), "-o", dir + "/b.json"]).status == 0)
        #expect(try Tool.run("anslag-export", [dir + "/b.json", "-o", dir + "/t.xlsx", "--layout", "per-table", "--chart"]).status == 0)
        let chart = try Tool.runAny("unzip", ["-p", dir + "/t.xlsx", "xl/charts/chart1.xml"]).stdout
        #expect(chart.contains("<c:f>'Diagramdata'!$A$1:$A$7</c:f>"))
        #expect(chart.contains("<c:f>'Diagramdata'!$B$1:$B$7</c:f>"))
        #expect(chart.contains("formatCode=\"#,##0\""))
        let book = try Tool.runAny("unzip", ["-p", dir + "/t.xlsx", "xl/workbook.xml"]).stdout
        #expect(book.contains("name=\"Diagramdata\" sheetId=\"2\" state=\"hidden\""))
        // The data sheet: the seven lines in order, no total among them.
        let data = try Tool.runAny("unzip", ["-p", dir + "/t.xlsx", "xl/worksheets/sheet2.xml"]).stdout
        let labels = data.split(separator: "<t>").dropFirst().map { $0.prefix { $0 != "<" } }
        #expect(labels == ["Region Stockholm", "Region Skåne", "Västra Götalandsregionen", "Fyrbodal", "Göteborgsregionen", "Sjuhärad", "Skaraborg"])
    }
}
