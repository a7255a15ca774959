// Rule files (YAML or JSON), read beside the rule fixtures so the tables they name exist,
// and computed when they parse; and layout files.
import AnslagCore

func fuzzRules(_ bytes: [UInt8]) {
    guard let set = try? RuleFile.parse(bytes: bytes, file: "fuzz.yaml", directory: repositoryRoot + "/Fixtures/rules") else { return }
    // A population file the rule names is read only if it is one of the fixtures.
    guard set.populationFile == nil else { return }
    _ = try? Allocator(set: set, population: nil).allocate()
}

func fuzzLayout(_ bytes: [UInt8]) {
    guard let path = scratchFile(bytes) else { return }
    _ = try? LayoutFile.read(path: path)
}
