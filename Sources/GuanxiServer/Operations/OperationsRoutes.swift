import Foundation
import Hummingbird
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// `/health`, `/ready` and `/metrics`, for load balancers and monitoring.
struct OperationsRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("/health") { _, _ in
            Self.json(["status": "ok"])
        }
        router.get("/ready") { _, _ in
            let status = await readiness()
            var response = Self.json(status.body)
            response.status = status.ready ? .ok : .serviceUnavailable
            return response
        }
        router.get("/metrics") { request, context in
            guard Self.mayReadMetrics(request, context: context, token: services.config.metricsToken) else {
                throw GuanxiError(.forbidden, "The metrics are for the loopback address, or for clients sending GUANXI_METRICS_TOKEN as a bearer token.")
            }
            await refreshGauges()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: services.metrics.exposition())))
        }
    }

    /// The figures say how busy the server is and which routes are used: not for anyone on
    /// the network. With a token configured, the token decides; without one, the client
    /// must be on the loopback address (the forwarded client's, when the proxy is trusted).
    static func mayReadMetrics(_ request: Request, context: AppRequestContext, token: String?) -> Bool {
        if let token {
            guard let sent = request.headers[.authorization], sent.hasPrefix("Bearer ") else { return false }
            return Secrets.constantTimeEquals(String(sent.dropFirst("Bearer ".count)), token)
        }
        let address = context.address
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }

    func readiness() async -> (ready: Bool, body: [String: String]) {
        guard await services.database.ping() else { return (false, ["status": "unavailable", "database": "unreachable"]) }
        do {
            switch try await services.migrator.state() {
            case .current: return (true, ["status": "ready", "database": "ok", "schema": "current"])
            case .pending(let names): return (false, ["status": "unavailable", "database": "ok", "schema": "pending: \(names.joined(separator: ","))"])
            case .newerThanThisBuild: return (false, ["status": "unavailable", "database": "ok", "schema": "newer than this version"])
            }
        } catch {
            return (false, ["status": "unavailable", "database": "error"])
        }
    }

    func refreshGauges() async {
        let started = ContinuousClock.now
        let up = await services.database.ping()
        let elapsed = ContinuousClock.now - started
        services.metrics.gauge("guanxi_database_up", help: "1 when the database answers.", value: up ? 1 : 0)
        services.metrics.gauge("guanxi_database_ping_seconds", help: "Round trip of a trivial query, including the wait for a pooled connection.",
                               value: Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
        services.metrics.gauge("guanxi_database_pool_max_connections", help: "Most connections the pool opens.",
                               value: Double(services.database.maxConnections))
        if let counts = try? await services.jobs.counts() {
            for status in ["queued", "running", "done", "failed"] {
                services.metrics.gauge("guanxi_jobs", help: "Background jobs by status.", labels: [("status", status)], value: Double(counts[status] ?? 0))
            }
        }
    }

    static func json(_ body: [String: String]) -> Response {
        let data = (try? JSONEncoder.sorted.encode(body)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
