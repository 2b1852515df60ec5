import Foundation
import Prometheus

/// The Prometheus metrics of one Guanxi process, served at `/metrics`.
public final class AppMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private static let buckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                              .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]

    public init() {}

    /// Counts a finished request by route pattern (not the raw path, to keep label sets small).
    public func requestFinished(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(metricName: "guanxi_http_requests", unitName: "total", helpText: "HTTP requests by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "guanxi_http_request_duration", unitName: "seconds", helpText: "HTTP request latency by route."),
            labels: [("route", route)], buckets: Self.buckets
        ).record(duration)
    }

    /// Sets a point-in-time figure such as jobs waiting or database reachability.
    public func gauge(_ name: String, help: String, labels: [(String, String)] = [], value: Double) {
        registry.makeGauge(descriptor: .init(metricName: name, unitName: "", helpText: help), labels: labels).set(value)
    }

    public func exposition() -> String { registry.emitToString() }
}
