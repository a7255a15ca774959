import Testing
import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

/// anslag-convert and anslag-import on the documents in Fixtures/documents (made by
/// Scripts/fixtures/documents.py; the expected texts and amounts are that script's data).
@Suite("documents end to end")
struct DocumentEndToEndTests {
    @Test func listSheetsNamesTablesByWhereTheyAre() throws {
        let deck = try Tool.run("anslag-convert", [Tool.fixture("documents/matris.pptx"), "--list-sheets"])
        #expect(deck.status == 0)
        #expect(deck.stdout == "1\tBild 1, tabell 1\tvisible\n2\tBild 2, tabell 1\tvisible\n3\tBild 3, tabell 1\tvisible\n")
        let pdf = try Tool.run("anslag-convert", [Tool.fixture("documents/sektioner.pdf"), "--list-sheets"])
        #expect(pdf.stdout == "1\tSida 1, tabell 1\tvisible\n2\tSida 1, tabell 2\tvisible\n")
        let odt = try Tool.run("anslag-convert", [Tool.fixture("documents/sektioner.odt"), "--list-sheets"])
        #expect(odt.stdout == "1\tTabell 1\tvisible\n2\tTabell 2\tvisible\n3\tTabell 3\tvisible\n")
    }

    @Test func csvOfASlideTableAndOfAPdfTableOverAPageBreak() throws {
        let r = try Tool.run("anslag-convert", [Tool.fixture("documents/matris.pptx"), "--sheet", "Bild 3, tabell 1"])
        #expect(r.status == 0)
        #expect(r.stdout == "Budget för samordning\r\nBudget 2025 (tkr)\r\nPost,Belopp\r\nPersonal,1 200\r\nLokaler,300\r\nResor,85\r\nSumma,1 585\r\n")
        let long = try Tool.run("anslag-convert", [Tool.fixture("documents/sidbrytning.pdf")])
        let rows = long.stdout.split(separator: "\r\n").map(String.init)
        // The caption, the header once, 70 kommuner and Totalt: the page break is joined.
        #expect(rows.count == 1 + 1 + 70 + 1)
        #expect(rows.first == "Fördelning per kommun 2024")
        #expect(rows.filter { $0 == "Kommun,Belopp" }.count == 1)
        #expect(rows[2] == "Upplands Väsby,849 100")
        #expect(rows.last?.hasPrefix("Totalt,") == true)
    }

    @Test func xlsxOfADocumentReadsBackTheSame() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let made = try Tool.run("anslag-convert", [Tool.fixture("documents/fordelning.pdf"), "--to", "xlsx", "-o", dir + "/f.xlsx"])
        #expect(made.status == 0, "\(made.stderr)")
        let back = try Tool.run("anslag-convert", [dir + "/f.xlsx", "--to", "csv"])
        let direct = try Tool.run("anslag-convert", [Tool.fixture("documents/fordelning.pdf"), "--to", "csv"])
        #expect(back.stdout == direct.stdout)
        #expect(direct.stdout.contains("\r\nTotalt,1 527 000 000\r\n"))
    }

    @Test func importFindsTheDeckTotalOneKronaOffAndChecksTheRunningText() throws {
        let file = Tool.fixture("documents/matris.pptx")
        let r = try Tool.run("anslag-import", [file])
        #expect(r.status == 1)
        #expect(r.stderr.contains("  error 'Bild 1, tabell 1'!F4 sum-mismatch: "))
        #expect(r.stderr.contains("8 800 000 kr"))
        let pdf = try Tool.run("anslag-import", [Tool.fixture("documents/fordelning.pdf")])
        #expect(pdf.status == 1)
        #expect(pdf.stderr.contains("  error 'Sida 1, stycke 2' text-varav-mismatch: the text states 1 560 000 000 kr, varav 2 parts that sum to 1 559 000 000 kr\n"))
        let ok = try Tool.run("anslag-import", [Tool.fixture("documents/lista.odt"), "--report", "json"])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("\"code\": \"text-total-agrees\", \"severity\": \"info\""))
        #expect(ok.stdout.contains("\"lines\": \"'Tabell 1'!B6\""))
    }

    @Test func explainShowsTheReconstructedTables() throws {
        let r = try Tool.run("anslag-import", [Tool.fixture("documents/real-regeringen_kvinnors_halsa_2017.pdf"), "--explain"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("'Sida 1, tabell 1': 6 rows, 4 columns\n"))
        #expect(r.stdout.contains("    2  Landsting | Summa insatser i primärvården för kvinnors hälsa | Summa förlossningsvård och kvinnors hälsa | Summa\n"))
        #expect(r.stdout.contains("    3  Stockholm | 26 576 108 | 84 725 537 | 111 301 645\n"))
    }

    @Test func scansEncryptedAndBrokenDocumentsExitTwoWithOneLine() throws {
        for (name, says) in [("skanning.pdf", "it needs OCR"), ("krypterad.pdf", "encrypted PDF (password-protected)")] {
            let file = Tool.fixture("documents/" + name)
            let r = try Tool.run("anslag-import", [file])
            #expect(r.status == 2)
            #expect(r.stderr.hasPrefix("anslag-import: \(file): "))
            #expect(r.stderr.contains(says))
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let pdf = try FileInput.read(path: Tool.fixture("documents/lista.pdf"))
        let f = fopen(dir + "/trasig.pdf", "wb")!
        _ = pdf.prefix(800).withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
        let r = try Tool.run("anslag-convert", [dir + "/trasig.pdf"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("anslag-convert: \(dir)/trasig.pdf: "))
        #expect(r.stderr.split(separator: "\n").count == 1, "poppler's own logging stays silent: \(r.stderr)")
    }
}
