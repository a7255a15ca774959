// swift-tools-version:6.0
import PackageDescription

// Settings applied to every Swift target, in one place.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // Release builds drop dynamic exclusivity checks (about a tenth of reading time, measured
    // with perf on Scripts/bench's inputs); debug builds and the tests keep them.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Anslag",
    products: [
        .library(name: "AnslagCore", targets: ["AnslagCore"]),
        .executable(name: "anslag-convert", targets: ["anslag-convert"]),
        .executable(name: "anslag-scb", targets: ["anslag-scb"]),
        .executable(name: "anslag-export", targets: ["anslag-export"]),
        .executable(name: "anslag-allocate", targets: ["anslag-allocate"]),
        .executable(name: "anslag-import", targets: ["anslag-import"]),
        .executable(name: "anslag-reconcile", targets: ["anslag-reconcile"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZip", pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]),
        .systemLibrary(
            name: "CXlsxWriter", pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]),
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        // PDF text with positions through poppler's C (glib) API, and cairo (rendering, for
        // ruling lines). The core loads poppler-glib when it reads a PDF (`Poppler.swift`: the
        // ~45 libraries it pulls in cost every tool 7 ms and 8 MB at start); the unit tests
        // import these headers to check the core's declarations against them.
        .systemLibrary(
            name: "CPoppler", pkgConfig: "poppler-glib",
            providers: [.apt(["libpoppler-glib-dev"])]),
        // zlib, for the bounded pre-scan of a PDF's compressed streams.
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // YAML through Yams behind a Foundation-free tree: Yams brings Foundation, whose ICU
        // module clashes with libxml2's in one module, so AnslagCore sees only this target,
        // which imports Yams `internal`, built for library evolution: so a clean debug build
        // (compiled for testing) and the tests build without warnings. Before, without library
        // evolution, an `internal import` was still loaded by clients and clean builds failed,
        // and @_implementationOnly warned that it is unsafe without library evolution.
        .target(
            name: "AnslagYAML",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings + [.unsafeFlags(["-enable-library-evolution"])]),
        .target(
            name: "AnslagCore",
            dependencies: ["CZip", "CLibXML2", "CXlsxWriter", "CZlib", "AnslagYAML"],
            resources: [.embedInCode("Resources/regions.tsv")],
            swiftSettings: swiftSettings),
        // HTTP GET and POST through URLSession for anslag-scb fetch. Foundation stays inside
        // (an `internal import` in a module built for library evolution, plain Swift types
        // outside), for the same ICU reason as AnslagYAML.
        .target(
            name: "AnslagFetch",
            swiftSettings: swiftSettings + [.unsafeFlags(["-enable-library-evolution"])]),
        // What every executable shares: exit codes, error lines, output files.
        .target(
            name: "AnslagCLI",
            dependencies: [
                "AnslagCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        // The fetch options (--api, --cache, --offline) over AnslagFetch: only the two tools
        // that fetch link Foundation's networking, so the others build with a static stdlib.
        .target(
            name: "AnslagCLIFetch",
            dependencies: [
                "AnslagCore",
                "AnslagFetch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "anslag-convert",
            dependencies: ["AnslagCLI", "AnslagCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "anslag-scb",
            dependencies: ["AnslagCLI", "AnslagCLIFetch", "AnslagCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "anslag-export",
            dependencies: ["AnslagCLI", "AnslagCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "anslag-allocate",
            dependencies: ["AnslagCLI", "AnslagCLIFetch", "AnslagCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "anslag-import",
            dependencies: ["AnslagCLI", "AnslagCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "anslag-reconcile",
            dependencies: ["AnslagCLI", "AnslagCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        // Helpers both test targets share (temporary folders and their contents).
        .target(
            name: "AnslagTestSupport",
            path: "Tests/AnslagTestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AnslagCoreTests",
            dependencies: ["AnslagCore", "AnslagTestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings),
        // The core's own declarations of poppler-glib's types and functions (it dlopens the
        // library) checked against poppler's headers. A target of its own: poppler's and
        // libxml2's headers in one module with the tests' Foundation clash over ICU's types
        // (UErrorCode) on a clean build.
        .testTarget(
            name: "PopplerBindingTests",
            dependencies: ["AnslagCore", "CPoppler"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["AnslagCore", "AnslagTestSupport"],
            swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)

// Coverage-guided fuzzing (Scripts/fuzz --coverage): one libFuzzer executable whose harnesses,
// one source file per entry point, live in Scripts/fuzz.d/Harnesses. It exists only when the
// manifest is read with ANSLAG_FUZZ=1 (Scripts/fuzz builds it with
// -sanitize=fuzzer,address into .build-fuzz), so `swift build` and `swift test` never see it.
if Context.environment["ANSLAG_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "anslag-fuzz",
        dependencies: ["AnslagCore"],
        path: "Scripts/fuzz.d/Harnesses",
        swiftSettings: swiftSettings))
    package.products.append(.executable(name: "anslag-fuzz", targets: ["anslag-fuzz"]))
}
