// The SCB readers' entry points, as anslag-scb calls them.
import AnslagCore

func fuzzPx(_ bytes: [UInt8]) {
    _ = try? importPopulation(.bytes(bytes, name: "fuzz.px"), format: .px)
}

func fuzzJsonStat(_ bytes: [UInt8]) {
    _ = try? importPopulation(.bytes(bytes, name: "fuzz.json"), format: .jsonStat)
}

/// SCB CSV, whole and streamed (the two readers anslag-scb has).
func fuzzScbCsv(_ bytes: [UInt8]) {
    _ = try? importPopulation(.bytes(bytes, name: "fuzz.csv"), format: .csv)
    _ = try? streamPopulation(.bytes(bytes, name: "fuzz.csv"), format: .csv, into: PopulationCheckStream())
}
