import Foundation
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The demo's activities: calls, visits, meetings, e-mails and notes over the customer's
/// life, done ones with outcomes and promises made, planned ones in the weeks ahead.
extension DemoData {
    static let activityColumns = ["id", "kind", "subject", "description", "starts_at", "ends_at", "due_at", "status", "priority", "related_kind",
                                  "related_id", "customer_id", "owner_id", "outcome", "remind_at", "completed_at", "version", "created_at", "updated_at"]
    static let commitmentColumns = ["id", "activity_id", "customer_id", "position", "description", "due_on", "status"]

    static let subjects: [String: [String]] = [
        "call": ["电话回访", "确认需求", "询问报价反馈", "Follow-up call"], "meeting": ["方案交流会", "季度业务回顾", "Kick-off meeting"],
        "visit": ["上门拜访", "现场调研", "Site visit"], "email": ["发送产品资料", "发送报价单", "Sent the proposal"], "note": ["客户反馈记录", "内部备注"],
        "task": ["准备合同", "整理需求清单", "Prepare the quote"],
    ]
    static let outcomes = ["客户有兴趣，下周再联系", "需求已确认", "对价格有顾虑", "已约定下次拜访", "Agreed next steps", "客户暂无预算"]
    static let promises = ["周五前发送报价", "寄送样品", "安排技术演示", "提供案例资料", "Send the revised contract"]

    /// One activity at `customer` (about it, its first contact or one of its deals), and
    /// the commitments made in it.
    func makeActivity(at customer: MadeCustomer, contact: UUID?, deal: UUID?, random: inout SeededRandom, now: Date)
        -> (row: [any SQLExpression], commitments: [[any SQLExpression]]) {
        let kind = random.pick(["call", "call", "meeting", "visit", "email", "note", "task"])
        let id = UUID()
        // Mostly the past two years; one in six in the coming four weeks.
        let future = random.chance(16)
        let days = future ? Int(random.next() % 28) + 1 : -Int(random.next() % 700) - 1
        // Office hours in China: 09:00–17:30 Beijing time, on the half hour.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let day = calendar.startOfDay(for: now.addingTimeInterval(Double(days) * 86_400))
        let start = day.addingTimeInterval(Double(9 * 2 + Int(random.next() % 17)) * 1800)
        let status = future ? "planned" : (random.chance(93) ? "done" : "cancelled")
        let timed = kind == "meeting" || kind == "visit"
        let end = timed ? start.addingTimeInterval(Double(1 + random.next() % 4) * 1800) : nil
        let (relatedKind, relatedID): (String, UUID) = if let deal, random.chance(35) { ("opportunities", deal) }
            else if let contact, random.chance(50) { ("contacts", contact) } else { ("customers", customer.id) }
        let created = future ? now.addingTimeInterval(-Double(random.next() % (7 * 86_400))) : start
        let values: [(any Encodable & Sendable)?] = [
            id, kind, random.pick(Self.subjects[kind]!), "", kind == "task" ? nil : start, end, kind == "task" ? start : nil, status,
            random.chance(15) ? "high" : "normal", relatedKind, relatedID, customer.id, customer.ownerID,
            status == "done" && kind != "note" ? random.pick(Self.outcomes) : nil, future && random.chance(50) ? start.addingTimeInterval(-900) : nil,
            status == "done" ? start : nil, 1, created, created,
        ]
        var commitments: [[any SQLExpression]] = []
        if status == "done", random.chance(25) {
            let due = ISO8601DateFormatter.string(from: start.addingTimeInterval(7 * 86_400), timeZone: TimeZone(identifier: "Asia/Shanghai")!, formatOptions: [.withFullDate])
            commitments.append([SQLBind(UUID()), SQLBind(id), SQLBind(customer.id), SQLBind(0), SQLBind(random.pick(Self.promises)), SQLBind(due),
                                SQLBind(start.addingTimeInterval(7 * 86_400) < now ? random.pick(["kept", "kept", "broken"]) : "open")])
        }
        return (values.map(Self.bind), commitments)
    }
}
