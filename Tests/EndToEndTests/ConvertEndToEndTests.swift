import Testing
#if canImport(Glibc)
import Glibc
#endif
import AnslagCore
import AnslagTestSupport

/// Runs the built executables on the fixtures and compares output and exit codes.
enum Tool {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// The folder holding the test bundle holds the executables too.
    static let binDirectory: String = {
        let me = CommandLine.arguments.first(where: { $0.contains(".xctest") || $0.contains("PackageTests") }) ?? CommandLine.arguments[0]
        var parts = me.split(separator: "/", omittingEmptySubsequences: false)
        while let last = parts.last, !last.hasSuffix(".xctest") && parts.count > 1 { parts.removeLast() }
        parts.removeLast()
        let dir = parts.joined(separator: "/")
        return dir.isEmpty ? root + "/.build/debug" : dir
    }()

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `name args…` with optional standard input; output is collected through files.
    static func run(_ name: String, _ args: [String], stdin: String? = nil, input: [UInt8]? = nil, absolute: Bool = false) throws -> Result {
        let exe = absolute ? name : binDirectory + "/" + name
        #expect(access(exe, X_OK) == 0, "\(exe) is not built; run swift build first")
        var template = Array("/tmp/anslag-e2e-XXXXXX".utf8CString)
        let dir = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
        defer { _ = system("rm -rf '\(dir)'") }
        let inPath = dir + "/in", outPath = dir + "/out", errPath = dir + "/err"
        let bytes = input ?? Array((stdin ?? "").utf8)
        let f = fopen(inPath, "wb")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, nil, argv, environ)
        guard rc == 0 else { return Result(status: -1, stdout: "", stderr: "spawn failed \(rc)") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = String(decoding: (try? FileInput.read(path: outPath)) ?? [], as: UTF8.self)
        let err = String(decoding: (try? FileInput.read(path: errPath)) ?? [], as: UTF8.self)
        return Result(status: code, stdout: out, stderr: err)
    }

    static func fixture(_ p: String) -> String { root + "/Fixtures/" + p }

    static func removeTree(_ dir: String) { TestFiles.removeTree(dir) }
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
    static func write(_ path: String, _ text: String) { let f = fopen(path, "wb")!; fputs(text, f); fclose(f) }

    static func temporaryDirectory() -> String { TestFiles.temporaryDirectory("anslag-e2e-out") }
}

@Suite("anslag-convert end to end")
struct ConvertEndToEndTests {
    @Test func csvOfFirstSheet() throws {
        let r = try Tool.run("anslag-convert", [Tool.fixture("xlsx/basic.xlsx")])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        let expected = [
            "Post,Belopp", "Lokaler,1200000", "Personal,2500000.5", "Resor,0.1", "Summa,3700000.6", "TRUE,FALSE",
            "2024-01-31,2023-11-01T13:30:15,08:45:00,PT129600S", "7,2024-01-31,ab", "\"Rad 1\nRad 2\",,Göteborg – 1480 åäö",
            "Sammanslagen rubrik", ",,,,-300000", "123456789012.25,1e-05", "Totalt regioner",
        ].joined(separator: "\r\n") + "\r\n"
        #expect(r.stdout == expected)
    }

    @Test func jsonOfAllSheets() throws {
        let r = try Tool.run("anslag-convert", ["--all-sheets", "--to", "json", Tool.fixture("xlsx/quirks.xlsx")])
        #expect(r.status == 0)
        #expect(r.stdout == ##"{"sheets":[{"name":"Första","state":"visible","rows":[["Region","Västra Götaland","東京"],["inline","rich","Rad\r\nslut _x0041_ A"],["00:00:00","1904-01-02",42],["2024-01-31","2024-01-31T10:20:30","#DIV/0!",true,"Region!"],[],[],[null,null,3.5,-2],[1.0000000000000002,1e+20]]},{"name":"Andra","state":"visible","rows":[[],[null,2]]},{"name":"Gömd","state":"veryHidden","rows":[["gömd"]]}]}"## + "\n")
    }

    @Test func sheetByNameAndNumberAndList() throws {
        let byName = try Tool.run("anslag-convert", ["--sheet", "Dold", Tool.fixture("xlsx/basic.xlsx")])
        #expect(byName.stdout == "hemlig\r\n")
        let byNumber = try Tool.run("anslag-convert", ["--sheet", "2", "--to", "json", Tool.fixture("ods/book.ods")])
        #expect(byNumber.stdout == ##"{"sheets":[{"name":"Dold","state":"hidden","rows":[[1]]}]}"## + "\n")
        let list = try Tool.run("anslag-convert", ["--list-sheets", Tool.fixture("xlsx/quirks.xlsx")])
        #expect(list.stdout == "1\tFörsta\tvisible\n2\tAndra\tvisible\n3\tGömd\tveryHidden\n")
        let missing = try Tool.run("anslag-convert", ["--sheet", "Saknas", Tool.fixture("xlsx/basic.xlsx")])
        #expect(missing.status == 2)
        #expect(missing.stderr == "anslag-convert: \(Tool.fixture("xlsx/basic.xlsx")): no sheet \"Saknas\"; the workbook has \"Blad1\", \"Dold\", \"Tom\"\n")
    }

    @Test func csvInputAndOptions() throws {
        let r = try Tool.run("anslag-convert", ["--delimiter", "tab", "--bom", Tool.fixture("csv/latin1-semicolon.csv")])
        #expect(r.status == 0)
        #expect(r.stdout == "\u{FEFF}Region\tFolkmängd 2023\r\n1480 Göteborg\t604 829\r\n1384 Kungsbacka\t85 931\r\n\"Ålö; \"\"citat\"\"\"\r\n")
    }

    @Test func standardInput() throws {
        let bytes = try FileInput.read(path: Tool.fixture("xlsx/strict.xlsx"))
        let r = try Tool.run("anslag-convert", ["-", "--to", "json"], input: bytes)
        #expect(r.status == 0)
        #expect(r.stdout == ##"{"sheets":[{"name":"Strikt","state":"visible","rows":[["År","1900-03-01","1900-02-28",2024]]}]}"## + "\n")
    }

    @Test func outputFileIsAtomicAndGuarded() throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let out = dir + "/out.json"
        let ok = try Tool.run("anslag-convert", [Tool.fixture("csv/tab.tsv"), "-o", out])
        #expect(ok.status == 0)
        #expect(ok.stdout == "")
        #expect(String(decoding: try FileInput.read(path: out), as: UTF8.self)
                == ##"{"sheets":[{"name":"tab","state":"visible","rows":[["år","värde"],["2023","−300 000"]]}]}"## + "\n")
        let again = try Tool.run("anslag-convert", [Tool.fixture("csv/tab.tsv"), "-o", out])
        #expect(again.status == 2)
        #expect(again.stderr == "anslag-convert: \(out): the output file exists; add --force to replace it\n")
        // A failing read leaves no output file.
        let failed = try Tool.run("anslag-convert", [Tool.fixture("hostile/bad-xml.xlsx"), "-o", dir + "/never.csv"])
        #expect(failed.status == 2)
        #expect(access(dir + "/never.csv", F_OK) != 0)
    }

    @Test(arguments: [
        ("hostile/encrypted.xlsx", "encrypted workbook (password-protected); save it without a password and try again"),
        ("hostile/entity-bomb.xlsx", "xl/sharedStrings.xml: refused: XML document type declarations (DTD, entities) are not allowed in spreadsheet parts"),
        ("hostile/zip-bomb.xlsx", "xl/worksheets/sheet1.xml: refused: compression ratio above 1000:1 (zip bomb?)"),
        ("hostile/empty.xlsx", "the file is empty (0 bytes)"),
        ("hostile/bad-xml.xlsx", "xl/worksheets/sheet1.xml: malformed XML at line 1: Extra content at the end of the document"),
    ])
    func hostileInputExitsTwoWithOneLine(file: String, message: String) throws {
        let r = try Tool.run("anslag-convert", [Tool.fixture(file)])
        #expect(r.status == 2)
        #expect(r.stdout == "")
        #expect(r.stderr == "anslag-convert: \(Tool.fixture(file)): \(message)\n")
    }

    @Test func badArgumentsExitTwo() throws {
        let r = try Tool.run("anslag-convert", ["--to", "pdf", Tool.fixture("xlsx/basic.xlsx")])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("anslag-convert: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
        let missing = try Tool.run("anslag-convert", ["/nonexistent/budget.xlsx"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "anslag-convert: /nonexistent/budget.xlsx: cannot read the file: No such file or directory\n")
        let help = try Tool.run("anslag-convert", ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--all-sheets"))
    }
}
