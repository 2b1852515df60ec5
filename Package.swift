// swift-tools-version: 6.1
import PackageDescription

// The libraries every target above the platform builds on: the web server, templates,
// the API runtime, configuration, crypto, logging, metrics, the database drivers.
let serverLibraries: [Target.Dependency] = [
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
    .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
    .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
    .product(name: "Mustache", package: "swift-mustache"),
    .product(name: "MultipartKit", package: "multipart-kit"),
    .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
    .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
    .product(name: "Configuration", package: "swift-configuration"),
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Metrics", package: "swift-metrics"),
    .product(name: "Prometheus", package: "swift-prometheus"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    .product(name: "FluentKit", package: "fluent-kit"),
    .product(name: "FluentSQL", package: "fluent-kit"),
    .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
    .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
    .product(name: "Yams", package: "Yams"),
]

let package = Package(
    name: "Guanxi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "guanxi", targets: ["guanxi"]),
        .library(name: "GuanxiAnalytics", targets: ["GuanxiAnalytics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", "5.0.0"..<"7.0.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.0"),
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.0"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "guanxi",
            dependencies: [
                "GuanxiServer",
                "GuanxiCustomerFile",
                "GuanxiSales",
                "GuanxiDataExchange",
                "GuanxiPlatform",
                "GuanxiAnalytics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "GuanxiAnalytics",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "GuanxiAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            resources: [.copy("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The ground floor: database, migrations runner, configuration, sign-in, sessions,
        // tokens, permissions, audit, jobs, locales, web plumbing, metrics, bulk writes, mail and
        // shared validators. It imports no feature; features register with it.
        // zlib from the system (Debian's zlib1g-dev, which SwiftNIO's HTTP compression needs
        // as well): an import's stored file is kept deflated.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "GuanxiPlatform",
            dependencies: [
                "GuanxiAnalytics",
                "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Yams", package: "Yams"),
                // The SMTP client of the outbox.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The HTTP gateway of text messages (SMS).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // The customer file: customers, contacts, activities and timelines, and what every record
        // kind stands on (the record-kind registry, lists, custom fields, attachments, duplicates).
        .target(
            name: "GuanxiCustomerFile",
            dependencies: [
                "GuanxiPlatform",
                "GuanxiAPI",
                "GuanxiAnalytics",
            ] + serverLibraries
        ),
        // Business area: leads, deals, pipelines, the forecast and competitors.
        .target(
            name: "GuanxiSales",
            dependencies: [
                "GuanxiCustomerFile",
                "GuanxiPlatform",
                "GuanxiAPI",
            ] + serverLibraries
        ),
        // Business area: scoring, segments, lifetime value and the analytics dashboard.
        .target(
            name: "GuanxiCustomerAnalytics",
            dependencies: [
                "GuanxiCustomerFile",
                "GuanxiPlatform",
                "GuanxiAPI",
                "GuanxiAnalytics",
            ] + serverLibraries
        ),
        // Business area: imports and exports of every kind that offers them.
        .target(
            name: "GuanxiDataExchange",
            dependencies: [
                "GuanxiCustomerFile",
                "GuanxiPlatform",
                "GuanxiAPI",
            ] + serverLibraries
        ),
        // The app: the composition root, migrations, demo data and operations pages.
        .target(
            name: "GuanxiServer",
            dependencies: [
                "GuanxiPlatform",
                "GuanxiCustomerFile",
                "GuanxiSales",
                "GuanxiCustomerAnalytics",
                "GuanxiDataExchange",
                "GuanxiAPI",
                "GuanxiAnalytics",
                .product(name: "Ink", package: "Ink"),
            ] + serverLibraries,
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "GuanxiServerTests",
            dependencies: [
                "GuanxiServer",
                "GuanxiCustomerFile",
                "GuanxiSales",
                "GuanxiCustomerAnalytics",
                "GuanxiDataExchange",
                "GuanxiPlatform",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Yams", package: "Yams"),
            ],
            // Read from their folder by path (received mail, byte for byte).
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GuanxiAnalyticsTests",
            dependencies: ["GuanxiAnalytics"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
