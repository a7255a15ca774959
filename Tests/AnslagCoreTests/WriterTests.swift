import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import AnslagCore

@Suite("writers and atomic output")
struct WriterTests {
    func temporaryDirectory() -> String {
        var template = Array("/tmp/anslag-test-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: p!)
    }

    func contents(_ path: String) throws -> String {
        String(decoding: try FileInput.read(path: path), as: UTF8.self)
    }

    @Test func gridJSON() throws {
        let dir = temporaryDirectory()
        let sheet = Sheet(info: SheetInfo(name: "Blad \"1\"", state: .visible), rows: [
            [Cell(.number(1)), Cell(.string("text")), Cell(.empty), Cell(.bool(true)), Cell(date(2024, 1, 31)), Cell(.error("#DIV/0!"))],
            [],
            [Cell(.string("rad\nbrytning")), Cell(.number(0.5)), Cell(.duration(90))],
        ])
        try AtomicFile.write(to: dir + "/out.json") { sink in
            var w = GridJSONWriter(sink: sink)
            try w.begin(); try w.write(sheet: sheet); try w.end()
        }
        #expect(try contents(dir + "/out.json") ==
            ##"{"sheets":[{"name":"Blad \"1\"","state":"visible","rows":[[1,"text",null,true,"2024-01-31","#DIV/0!"],[],["rad\nbrytning",0.5,"PT90S"]]}]}"## + "\n")
    }

    @Test func csvQuotingAndAnchoring() throws {
        let dir = temporaryDirectory()
        try AtomicFile.write(to: dir + "/out.csv") { sink in
            let w = GridCSVWriter(sink: sink, delimiter: ";")
            try w.write(row: 1, cells: [IndexedCell(0, Cell(.string("a;b"))), IndexedCell(2, Cell(.string("say \"hi\"")))])
            try w.write(row: 2, cells: [IndexedCell(1, Cell(.number(1.5))), IndexedCell(2, Cell(.bool(false)))])
        }
        #expect(try contents(dir + "/out.csv") == "\r\n\"a;b\";;\"say \"\"hi\"\"\"\r\n;1.5;FALSE\r\n")
    }

    @Test func failedWriteLeavesNoFile() throws {
        struct Boom: Error {}
        let dir = temporaryDirectory()
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: dir + "/out.csv") { sink in
                try sink.write("half")
                throw Boom()
            }
        }
        var st = stat()
        #expect(stat(dir + "/out.csv", &st) != 0)
        // No temporary file is left behind either.
        let d = opendir(dir)!
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(d)
        #expect(names.isEmpty)
    }

    @Test func existingOutputNeedsForceAndInputIsNeverOverwritten() throws {
        let dir = temporaryDirectory()
        try AtomicFile.write(to: dir + "/a.csv") { try $0.write("one") }
        #expect(throws: WriteError.exists(file: dir + "/a.csv")) {
            try AtomicFile.write(to: dir + "/a.csv") { try $0.write("two") }
        }
        #expect(throws: WriteError.wouldOverwriteInput(file: dir + "/a.csv")) {
            try AtomicFile.write(to: dir + "/a.csv", force: true, inputs: [dir + "/a.csv"]) { try $0.write("two") }
        }
        #expect(try contents(dir + "/a.csv") == "one")
        try AtomicFile.write(to: dir + "/a.csv", force: true) { try $0.write("two") }
        #expect(try contents(dir + "/a.csv") == "two")
    }
}
