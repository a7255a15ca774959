import Testing
@testable import AnslagCore

/// Records parse events, joining adjacent text pieces, to compare the two XML paths.
final class EventRecorder: XMLHandler {
    var events: [String] = []
    private var text: [UInt8] = []

    private func flushText() {
        if !text.isEmpty { events.append("text:" + String(decoding: text, as: UTF8.self)); text = [] }
    }

    override func start(_ name: XMLName, _ attributes: XMLAttributes) throws {
        flushText()
        events.append("start:" + name.string + attributes.all.map { " \($0.0)=\($0.1)" }.joined())
    }

    override func end(_ name: XMLName) throws {
        flushText()
        events.append("end:" + name.string)
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) { text.append(contentsOf: bytes) }
}

@Suite("fast XML scanner agrees with libxml2")
struct FastXMLScannerTests {
    static let documents: [String] = [
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\r\n" +
        #"<x:worksheet xmlns:x="urn:x" a='1'><x:sheetData><x:row r="1" spans="1:2"><x:c r="A1" t="s"><x:v>0</x:v></x:c>"# +
        #"<x:c r="B1"><x:f>SUM(A1:A3)&amp;"&lt;&gt;"</x:f><x:v>6</x:v></x:c></x:row></x:sheetData></x:worksheet>"#,
        "<sst><si><t xml:space=\"preserve\">  två\r\nrader &#229;&#xE4;&quot;&apos; </t></si><si><r><t>a</t></r><r><t>b</t></r></si>" +
        "<!-- a comment with <tags> --><si><t><![CDATA[<raw> & text]]></t></si><si><t/></si></sst>",
        "<root attr=\"line\nbreak\ttab &amp; &#10;\" other = 'x' ><empty/><e2 />\n  <?pi data?>text</root>\n",
        "\u{FEFF}<a><b c=\"&lt;\">é€😀</b></a>",
    ]

    func events(_ doc: String, fast: Bool, chunk: Int) throws -> [String] {
        let bytes = Array(doc.utf8)
        let recorder = EventRecorder()
        let feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void = { sink in
            var i = 0
            while i < bytes.count {
                let n = min(chunk, bytes.count - i)
                try bytes[i..<(i + n)].withUnsafeBytes { try sink($0) }
                i += n
            }
        }
        if fast {
            try FastXMLScanner.parse(file: "f", part: "p", handler: recorder, feed: feed)
        } else {
            try XMLStream.parse(file: "f", part: "p", handler: recorder, feed: feed)
        }
        return recorder.events
    }

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func sameEventsWhateverTheChunking(chunk: Int) throws {
        for doc in Self.documents {
            let expected = try events(doc, fast: false, chunk: 100_000)
            let got = try events(doc, fast: true, chunk: chunk)
            #expect(got == expected, "chunk \(chunk): \(got) vs \(expected)")
        }
    }

    @Test(arguments: [
        "<a><b></a>", "<a></a><b/>", "<a>text</a>trailing", "<a x=1/>", "<a x=\"1\"", "<a>&unknown;</a>",
        "<a x=\"<\"/>", "", "just text", "<a></b>",
    ])
    func malformedIsRefusedLikeLibxml2(doc: String) throws {
        #expect(throws: ReadError.self) { try events(doc, fast: false, chunk: 100_000) }
        for chunk in [1, 5, 100_000] {
            #expect(throws: ReadError.self) { try events(doc, fast: true, chunk: chunk) }
        }
    }

    @Test func doctypeIsRefused() {
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"
        for chunk in [1, 100_000] {
            #expect(throws: ReadError.limitExceeded(file: "f", part: "p",
                detail: "XML document type declarations (DTD, entities) are not allowed in spreadsheet parts")) {
                try events(doc, fast: true, chunk: chunk)
            }
        }
    }

    @Test func otherEncodingsGoToLibxml2() throws {
        // ISO-8859-1 declared: the fast path hands over before any event.
        var bytes = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>G".utf8)
        bytes += [0xF6] + Array("teborg</a>".utf8)
        let recorder = EventRecorder()
        try FastXMLScanner.parse(file: "f", part: "p", handler: recorder) { sink in try bytes.withUnsafeBytes { try sink($0) } }
        #expect(recorder.events == ["start:a", "text:Göteborg", "end:a"])
    }

    @Test func fastDecimalIsCorrectlyRounded() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let mantissa = Int64.random(in: -999_999_999_999_999...999_999_999_999_999, using: &generator)
            let scale = Int.random(in: 0...20, using: &generator)
            var text = String(mantissa.magnitude)
            if scale > 0 {
                while text.count <= scale { text = "0" + text }
                text.insert(".", at: text.index(text.endIndex, offsetBy: -scale))
            }
            if mantissa < 0 { text = "-" + text }
            let fast = Array(text.utf8).withUnsafeBufferPointer { fastDecimal($0) }
            #expect(fast == Double(text), "\(text)")
        }
        for text in ["1e5", "2.5E-3", "1e22", "123456789012345", "0.000001", "+7"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { fastDecimal($0) } == Double(text), "\(text)")
        }
        // Too many digits or too large a power: left to strtod.
        #expect(Array("1234567890123456789".utf8).withUnsafeBufferPointer { fastDecimal($0) } == nil)
        #expect(Array("1e23".utf8).withUnsafeBufferPointer { fastDecimal($0) } == nil)
    }
}
