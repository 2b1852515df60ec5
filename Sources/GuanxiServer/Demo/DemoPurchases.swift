import Foundation
import GuanxiAnalytics
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The demo's purchases: two years of orders, so the analytics has something to find —
/// a few big accounts that buy often, many that buy now and then, some that have gone
/// quiet, customers who order every year around the same date, and products that sell
/// together (a licence with its maintenance, implementation with training).
extension DemoData {
    static let purchaseColumns = ["id", "customer_id", "reference", "purchased_on", "amount", "margin", "currency", "items", "created_by", "created_at"]

    /// Product code, list price in yuan, margin share.
    static let products: [(code: String, price: Int64, margin: Double)] = [
        ("标准版许可", 48_000, 0.8), ("年度维护", 9_600, 0.6), ("实施服务", 30_000, 0.35), ("培训课程", 6_000, 0.5),
        ("服务器硬件", 65_000, 0.15), ("云存储扩容", 3_600, 0.55), ("数据迁移", 12_000, 0.4), ("定制开发", 80_000, 0.3),
    ]
    /// What is bought together, as indexes into `products`.
    static let bundles: [[Int]] = [[0, 1], [0, 1, 3], [2, 3], [4, 5], [1], [5], [6, 2], [7], [3], [0]]

    /// Purchases of one customer over the two years before `now`. One customer in five has
    /// none (a prospect); `random` is the purchases' own generator, so the rest of the demo
    /// stays the same whatever is bought.
    func makePurchases(for customer: MadeCustomer, number: Int, random: inout SeededRandom, now: Date) -> [[any SQLExpression]] {
        guard !random.chance(20) else { return [] }
        // Today in China (UTC+8), as a calendar day: plain arithmetic, no formatter per customer.
        let today = Day(Int(((now.timeIntervalSince1970 + 8 * 3600) / 86_400).rounded(.down)))
        // Skewed: most customers order a few times, a few order every month or two.
        let orders = 1 + Int(Double(random.next() % 1000) / 1000 * Double(random.next() % 1000) / 1000 * 18)
        // Some have gone quiet: their orders all fall in the first year.
        let quiet = random.chance(15)
        // Some order every year around their own date (a budget cycle, an anniversary).
        let yearly = random.chance(12) ? Int(random.next() % 365) : nil
        let scale = 0.5 + Double(random.next() % 100) / 50
        var rows: [[any SQLExpression]] = []
        for n in 0..<orders {
            let daysAgo: Int
            if let yearly, n < 2 {
                let anchor = Day(year: today.year - 1 - n, month: 1, day: 1)! + yearly
                daysAgo = max(1, (today - anchor) + Int(random.next() % 7) - 3)
            } else {
                daysAgo = quiet ? 365 + Int(random.next() % 365) : 1 + Int(random.next() % 730)
            }
            let items = random.pick(Self.bundles).map { Self.products[$0] }
            let amount = items.reduce(Int64(0)) { $0 + Int64(Double($1.price) * scale) * 100 }
            let margin = items.reduce(Int64(0)) { $0 + Int64(Double($1.price) * scale * $1.margin) * 100 }
            let day = (today - daysAgo).description
            rows.append([SQLBind(UUID()), SQLBind(customer.id), SQLBind("DEMO-\(number)-\(n + 1)"), SQLBind(day), SQLBind(amount), SQLBind(margin),
                         SQLBind("CNY"), SQLBind(CustomerPurchase.text(of: items.map(\.code))), SQLLiteral.null, SQLBind(now)])
        }
        return rows
    }
}
