// swift-tools-version: 6.0
// An example of CatalogWatch as a library: the alert stack built from its parts, extended in typed Swift.
// Build it from the repository root with scripts/check-custom-stack, or here with `swift build`.
import PackageDescription

let package = Package(
    name: "custom-stack",
    platforms: [.macOS(.v13)],
    dependencies: [
        // The CatalogWatch checkout this example lives in.
        .package(name: "CatalogWatch", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "custom-stack",
            dependencies: [
                .product(name: "CloudFormation", package: "CatalogWatch"),
                .product(name: "CatalogWatchStack", package: "CatalogWatch"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
    ],
    swiftLanguageModes: [.v6]
)
