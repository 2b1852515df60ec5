import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The analytics dashboard (`/analytics`): segment sizes, lifetime value, valuable
/// customers at risk, revenue concentration, cross-sell rules and the pipeline forecast,
/// each as an SVG chart with its table and a CSV download; and the step from a segment
/// to a saved view or a batch of planned calls or tasks.
package struct AnalyticsPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/analytics")

    /// The analytics read the customer file: whoever may read customers opens them.
    package static let menu = MenuEntry("/analytics", titleKey: "nav.analytics", readers: .customers)

    package let services: CustomerFileServices

    package struct Row: Sendable { package let label: String; package let value: String }
    package struct Chart: Sendable {
        package var title = ""; package let svg: String; package let rows: [Row]; package let csv: String; package var exportable = false
        /// How the figures were made, in words (the forecast's method and its back-test).
        package var note = ""
    }
    package struct SegmentRow: Sendable {
        package let key: String; package let label: String; package let count: Int; package let query: String
        /// A mail merge to the segment's customers; nil for those who may not send.
        package let mailHref: String?
    }
    package struct AtRiskRow: Sendable { package let id: String; package let name: String; package let owner: String; package let tier: String; package let value: String; package let alive: String }
    package struct RuleRow: Sendable { package let antecedent: String; package let consequent: String; package let confidence: String; package let lift: String; package let support: String }
    package struct Page: Sendable {
        package let scored: Bool; let asOf: String; let wholeFile: Bool; let notice: String?
        /// Whether the reader may download the tables (the export grant on customers).
        package let canExport: Bool
        package let segments: Chart; let segmentRows: [SegmentRow]; let values: Chart
        package let atRisk: [AtRiskRow]; let hasAtRisk: Bool
        package let concentration: Chart?; let sales: Chart?; let rules: [RuleRow]; let hasRules: Bool
        package let figures: [Chart]; let segmentChoices: [WebChoice]; let tierChoices: [WebChoice]; let stageChoices: [WebChoice]; let due: String
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/analytics") { request, context in
            let q = request.uri.queryParameters
            var notice: String?
            if let created = q["planned"].flatMap({ Int($0) }), let failed = q["failed"].flatMap({ Int($0) }) {
                notice = services.localizer.text("analytics.planned", context.locale)
                    .replacingOccurrences(of: "{created}", with: String(created)).replacingOccurrences(of: "{failed}", with: String(failed))
            }
            return try await page(context: context, notice: notice)
        }
        web.get("/analytics/csv/:chart") { _, context in
            let chart = try context.parameters.require("chart")
            let (header, rows) = try await table(chart, context: context)
            // A download follows the export rule of lists: the export grant, and an audit entry.
            let principal = context.principal
            try await services.database.db.transaction { tx in
                try await services.audit.record(on: tx, actor: principal, action: .export, kind: .customers, id: "export", label: "analytics",
                                                changes: [FieldChange(field: "chart", old: nil, new: chart), FieldChange(field: "rows", old: nil, new: String(rows.count))])
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = ContentDisposition.attachment("\(chart).csv")
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: CSVText.document(header: header, rows: rows))))
        }
        web.post("/analytics/plan") { request, context in
            let form = try await request.form(context: context)
            let result = try await SegmentActions(services: services).planActivities(
                segment: form["segment"], tiers: form.values("tiers"), stages: form.values("stages"), kind: form["kind"] ?? "", subject: form["subject"], due: form["due"],
                by: context.principal)
            return WebRenderer.redirect(Self.url.with("planned", result.created).with("failed", result.failed))
        }
    }

    package func page(context: SignedInContext, notice: String?) async throws -> Response {
        let principal = context.principal
        try services.permissions.require(principal, .read, on: .customers)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let dashboard = AnalyticsDashboard(services: services)
        let summary = try await AnalysisRunner(services: services).latest()
        let segments = try await dashboard.segments(for: principal)
        let bands = try await dashboard.lifetimeValueBands(for: principal)
        let wholeFile = dashboard.wholeFile(principal)

        func chart(_ name: String, _ title: String, _ bars: [SVGChart.Bar]) -> Chart {
            Chart(svg: SVGChart.bars(bars, title: title), rows: bars.map { Row(label: $0.label, value: $0.text) }, csv: Self.url.appending("csv").appending(name).description)
        }
        var concentration: Chart?
        if wholeFile, let c = summary?.concentration {
            let percent = { (v: Double) in String(format: "%.1f%%", v * 100) }
            concentration = Chart(svg: SVGChart.lorenz(c.lorenz, title: t("analytics.concentration"), xLabel: t("analytics.share_customers"), yLabel: t("analytics.share_value")),
                                  rows: [Row(label: t("analytics.top1"), value: percent(c.top1Percent)), Row(label: t("analytics.top4"), value: percent(c.top4Percent)),
                                         Row(label: t("analytics.top20"), value: percent(c.top20Percent)), Row(label: t("analytics.gini"), value: String(format: "%.3f", c.gini))],
                                  csv: Self.url.appending("csv").appending("concentration").description)
        }
        var sales: Chart?
        if wholeFile, let s = summary?.salesForecast {
            let money = { (v: Double) in Money(minorUnits: Int64((v * 100).rounded())).display }
            let history = zip(s.months, s.revenue).suffix(24).map { (label: $0, value: $1) }
            let ahead = s.forecastMonths.indices.map { i in
                (label: s.forecastMonths[i], value: max(0, s.forecast[i]), low: s.low?[i] ?? max(0, s.forecast[i]), high: s.high?[i] ?? max(0, s.forecast[i]))
            }
            let svg = SVGChart.line(history: history, forecast: ahead, title: t("analytics.sales")) { money($0).replacingOccurrences(of: ".00", with: "") }
            let rows = salesRows(s, forecastWord: t("analytics.forecast_month")).map { Row(label: $0.label, value: money($0.value)) }
            sales = Chart(svg: svg, rows: rows, csv: Self.url.appending("csv").appending("sales").description,
                          note: salesNote(s, locale: context.locale))
        }
        let atRisk = try await dashboard.atRisk(for: principal).map {
            AtRiskRow(id: $0.id.uuidString, name: $0.name, owner: $0.owner.isEmpty ? t("customers.pool") : $0.owner, tier: t("value_tiers.\($0.tier)"),
                      value: $0.lifetimeValue.display, alive: $0.probabilityActive.map { String(format: "%.0f%%", $0 * 100) } ?? "")
        }
        let page = Page(
            scored: summary != nil, asOf: summary?.asOf ?? "", wholeFile: wholeFile, notice: notice,
            canExport: principal.scope(for: .export, on: .customers) != nil,
            segments: chart("segments", t("analytics.segments"), segments.map {
                SVGChart.Bar(label: t("rfm_segments.\($0.segment)"), value: Double($0.count), text: String($0.count), href: "/customers?segment=\($0.segment)")
            }),
            segmentRows: segments.map { segment in
                let label = t("rfm_segments.\(segment.segment)")
                return SegmentRow(key: segment.segment, label: label, count: segment.count, query: "segment=\(segment.segment)",
                                  mailHref: MailMergePages.startURL(.customers, query: "segment=\(segment.segment)", label: label, for: principal, in: services.records))
            },
            values: chart("lifetime-value", t("analytics.lifetime_value"), bands.map { SVGChart.Bar(label: bandLabel($0.from), value: Double($0.count), text: String($0.count)) }),
            atRisk: atRisk, hasAtRisk: !atRisk.isEmpty, concentration: concentration, sales: sales,
            rules: wholeFile ? (summary?.rules ?? []).map {
                RuleRow(antecedent: $0.antecedent.joined(separator: " + "), consequent: $0.consequent.joined(separator: " + "),
                        confidence: String(format: "%.0f%%", $0.confidence * 100), lift: String(format: "%.2f", $0.lift), support: String(format: "%.1f%%", $0.support * 100))
            } : [],
            hasRules: wholeFile && !(summary?.rules ?? []).isEmpty,
            figures: try await figures(for: principal, t),
            segmentChoices: WebChoice.list(CustomerSegments.all, selected: nil) { t("rfm_segments.\($0)") },
            tierChoices: WebChoice.list(CustomerVocabulary.valueTiers, selected: nil, allowEmpty: false) { t("value_tiers.\($0)") },
            stageChoices: WebChoice.list(CustomerVocabulary.lifecycleStages, selected: nil, allowEmpty: false) { t("lifecycle.\($0)") },
            due: Self.day(services.clock.now().addingTimeInterval(7 * 86_400), timeZone: principal.timeZone))
        return services.renderer.render("analytics", titleKey: "analytics.title", page: page, context: context)
    }

    /// One chart's table, for its CSV download.
    package func table(_ chart: String, context: SignedInContext) async throws -> (header: [String], rows: [[String]]) {
        let principal = context.principal
        try services.permissions.require(principal, .read, on: .customers)
        try services.permissions.require(principal, .export, on: .customers)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let dashboard = AnalyticsDashboard(services: services)
        switch chart {
        case "segments":
            return ([t("customer_value.segment"), "code", t("analytics.customers")],
                    try await dashboard.segments(for: principal, exporting: true).map { [t("rfm_segments.\($0.segment)"), $0.segment, String($0.count)] })
        case "lifetime-value":
            return ([t("analytics.lifetime_value"), t("analytics.customers")], try await dashboard.lifetimeValueBands(for: principal, exporting: true).map { [bandLabel($0.from), String($0.count)] })
        case "at-risk":
            return (["id", t("customer_fields.name"), t("customer_fields.owner"), t("customer_fields.value_tier"), t("customer_value.lifetime_value"), t("customer_value.probability_active")],
                    try await dashboard.atRisk(for: principal, limit: 1_000, exporting: true).map {
                        [$0.id.uuidString, $0.name, $0.owner, $0.tier, $0.lifetimeValue.decimalText, $0.probabilityActive.map { String(format: "%.4f", $0) } ?? ""]
                    })
        case "concentration", "rules", "sales":
            guard dashboard.wholeFile(principal, exporting: true) else { throw GuanxiError.forbidden }
            let summary = try await AnalysisRunner(services: services).latest()
            if chart == "sales" {
                return (["month", "revenue"], summary?.salesForecast.map { salesRows($0, forecastWord: t("analytics.forecast_month")) }?
                    .map { [$0.label, String(format: "%.2f", $0.value)] } ?? [])
            }
            if chart == "rules" {
                return (["antecedent", "consequent", "support", "confidence", "lift"], (summary?.rules ?? []).map {
                    [$0.antecedent.joined(separator: " + "), $0.consequent.joined(separator: " + "), String($0.support), String($0.confidence), String($0.lift)]
                })
            }
            return ([t("analytics.share_customers"), t("analytics.share_value")], (summary?.concentration?.lorenz ?? []).map { $0.map { String($0) } })
        default:
            guard let figure = services.records.dashboardFigures.first(where: { $0.key == chart }) else { throw GuanxiError.notFound("Chart") }
            try services.permissions.require(principal, .read, on: figure.readers)
            try services.permissions.require(principal, .export, on: figure.readers)
            return (figure.header, try await figure.bars(principal).map(\.cells))
        }
    }

    /// The charts other areas offer (`DashboardFigure`) that the reader may read.
    package func figures(for principal: Principal, _ t: (String) -> String) async throws -> [Chart] {
        var charts: [Chart] = []
        for figure in services.records.dashboardFigures where principal.scope(for: .read, on: figure.readers) != nil {
            let bars = try await figure.bars(principal)
            charts.append(Chart(title: t(figure.titleKey), svg: SVGChart.bars(bars.map { SVGChart.Bar(label: $0.label, value: $0.value, text: $0.text) }, title: t(figure.titleKey)),
                                rows: bars.map { Row(label: $0.label, value: $0.text) }, csv: Self.url.appending("csv").appending(figure.key).description,
                                exportable: principal.scope(for: .export, on: .customers) != nil && principal.scope(for: .export, on: figure.readers) != nil))
        }
        return charts
    }

    /// Months of revenue, then the forecast months marked as such.
    /// The forecast's method, its back-test error beside "same month last year", and the
    /// months left out, in words.
    package func salesNote(_ s: AnalysisSummary.SalesForecast, locale: String) -> String {
        let t = { (key: String) in services.localizer.text(key, locale) }
        let percent = { (v: Double) in String(format: "%.0f%%", v * 100) }
        var parts = [services.localizer.text("analytics.forecast_method", locale, ["method": t("analytics.methods.\(s.method)")])]
        if let error = s.error {
            parts.append(services.localizer.text("analytics.forecast_error", locale, ["error": percent(error),
                                                                                     "naive": s.seasonalNaiveError.map(percent) ?? "—"]))
        }
        if let skipped = s.skippedMonths, skipped > 0 { parts.append(services.localizer.text("analytics.forecast_skipped", locale, ["count": String(skipped)])) }
        parts.append(t("analytics.forecast_band"))
        return parts.joined(separator: " ")
    }

    package func salesRows(_ s: AnalysisSummary.SalesForecast, forecastWord: String) -> [(label: String, value: Double)] {
        zip(s.months, s.revenue).map { ($0, $1) } + zip(s.forecastMonths, s.forecast).map { ("\($0) \(forecastWord)", max(0, $1)) }
    }

    package func bandLabel(_ from: Int64) -> String {
        let bands = AnalyticsDashboard.valueBands
        guard let i = bands.firstIndex(of: from) else { return "" }
        let format = { (v: Int64) in Money(minorUnits: v * 100).display.replacingOccurrences(of: ".00", with: "") }
        return i + 1 < bands.count ? "\(format(from)) – \(format(bands[i + 1]))" : "≥ \(format(from))"
    }

    package static func day(_ date: Date, timeZone: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: date)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
