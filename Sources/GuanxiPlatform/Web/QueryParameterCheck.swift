import Foundation
import Hummingbird
import Yams

/// The query parameters of every API operation, as the OpenAPI document declares them, and
/// a check of a request's query against them before the generated handler reads it.
///
/// The generated code refuses a parameter it cannot decode with a decoding error that
/// names neither the parameter nor the problem ("The body is not valid JSON", the Swift
/// type it wanted). Checked here first, a bad value gets an answer that names the
/// parameter and says what it takes — the same for every operation, read from the contract.
package struct QueryParameterCheck: Sendable {
    /// What one parameter takes.
    package struct Rule: Sendable {
        package var type = "string"
        package var format: String?
        package var values: [String]?
        package var minimum: Double?
        package var maximum: Double?
        package var maxLength: Int?
        /// For an array parameter: what each of its values takes.
        package var items: [Rule] = []
    }

    package struct Operation: Sendable {
        package let method: String
        /// The path below the API's base, split at "/"; `nil` stands for a `{parameter}`.
        package let segments: [String?]
        package let parameters: [String: Rule]
    }

    package let base: String
    package let operations: [Operation]

    package init(document: String) {
        let root = (try? Yams.load(yaml: document)) as? [String: Any] ?? [:]
        base = ((root["servers"] as? [[String: Any]])?.first?["url"] as? String) ?? "/api/v1"
        let components = root["components"] as? [String: Any] ?? [:]
        func resolve(_ node: [String: Any]) -> [String: Any] {
            guard let ref = node["$ref"] as? String else { return node }
            let parts = ref.split(separator: "/").dropFirst().map(String.init)   // "#/components/schemas/X"
            guard parts.count == 3, let section = components[parts[1]] as? [String: Any], let found = section[parts[2]] as? [String: Any] else { return [:] }
            return resolve(found)
        }
        func rule(_ raw: [String: Any]) -> Rule {
            let schema = resolve(raw)
            var out = Rule()
            out.type = schema["type"] as? String ?? "string"
            out.format = schema["format"] as? String
            out.values = (schema["enum"] as? [Any])?.map { "\($0)" }
            out.minimum = (schema["minimum"] as? NSNumber)?.doubleValue
            out.maximum = (schema["maximum"] as? NSNumber)?.doubleValue
            out.maxLength = schema["maxLength"] as? Int
            if let items = schema["items"] as? [String: Any] { out.items = [rule(items)] }
            return out
        }
        var operations: [Operation] = []
        for (path, item) in root["paths"] as? [String: Any] ?? [:] {
            guard let item = item as? [String: Any] else { continue }
            let shared = item["parameters"] as? [[String: Any]] ?? []
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let operation = item[method] as? [String: Any] else { continue }
                var parameters: [String: Rule] = [:]
                for parameter in (shared + (operation["parameters"] as? [[String: Any]] ?? [])).map(resolve) where parameter["in"] as? String == "query" {
                    guard let name = parameter["name"] as? String else { continue }
                    parameters[name] = rule(parameter["schema"] as? [String: Any] ?? [:])
                }
                let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
                operations.append(Operation(method: method.uppercased(), segments: segments, parameters: parameters))
            }
        }
        self.operations = operations
    }

    /// The operation `method path` (below the base) is, preferring literal segments over
    /// `{parameters}` where two could match ("/customers/duplicates", "/customers/{id}").
    package func operation(_ method: String, _ path: String) -> Operation? {
        guard path.hasPrefix(base) else { return nil }
        let parts = path.dropFirst(base.count).split(separator: "/").map(String.init)
        return operations.filter { op in
            op.method == method && op.segments.count == parts.count && zip(op.segments, parts).allSatisfy { $0 == nil || $0 == $1 }
        }.max { $0.segments.compactMap { $0 }.count < $1.segments.compactMap { $0 }.count }
    }

    /// Fails with a validation error naming the first parameter whose value the operation
    /// does not take. Parameters the operation does not declare are left alone, as the
    /// generated handlers leave them.
    package func check(method: String, path: String, query: [(String, String)]) throws {
        guard let operation = operation(method, path) else { return }
        for (name, value) in query {
            guard let rule = operation.parameters[name] else { continue }
            // Array parameters are exploded (`cf=a&cf=b`): each value is one item.
            try Self.check(value, name: name, rule: rule.type == "array" ? rule.items.first ?? Rule() : rule)
        }
    }

    package static func check(_ value: String, name: String, rule: Rule) throws {
        func refuse(_ what: String) -> GuanxiError {
            GuanxiError.invalid(name, "The query parameter \(name) \(what) (got \"\(value.prefix(100))\").")
        }
        if let values = rule.values, !values.contains(value) {
            throw refuse("must be one of \(values.joined(separator: ", "))")
        }
        switch rule.type {
        case "integer":
            guard let number = Int(value) else { throw refuse("must be a whole number") }
            try range(Double(number))
        case "number":
            guard let number = Double(value), number.isFinite else { throw refuse("must be a number") }
            try range(number)
        case "boolean":
            guard value == "true" || value == "false" else { throw refuse("must be true or false") }
        default:
            if let max = rule.maxLength, value.count > max { throw refuse("must be at most \(max) characters") }
            switch rule.format {
            case "uuid": guard UUID(uuidString: value) != nil else { throw refuse("must be an id like 6F1B0F5C-1E2D-4C3B-8A79-0123456789AB") }
            case "date-time":
                guard let time = Validate.isoTime(value), Validate.storableTimes.contains(time.timeIntervalSince1970) else {
                    throw refuse("must be a time like 2026-12-01T09:30:00+08:00, between the years 1 and 9999")
                }
            case "date":
                guard (try? Validate.localDay(value, field: name, timeZone: "UTC")) != nil else {
                    throw refuse("must be a date written YYYY-MM-DD")
                }
            default: break
            }
        }
        func range(_ number: Double) throws {
            switch (rule.minimum, rule.maximum) {
            case let (low?, high?) where number < low || number > high: throw refuse("must be from \(Self.plain(low)) to \(Self.plain(high))")
            case let (low?, nil) where number < low: throw refuse("must be at least \(Self.plain(low))")
            case let (nil, high?) where number > high: throw refuse("must be at most \(Self.plain(high))")
            default: break
            }
        }
    }

    private static func plain(_ number: Double) -> String { number == number.rounded() ? String(Int(number)) : String(number) }
}

/// Checks an API request's query against the contract (`QueryParameterCheck`).
package struct QueryParameterMiddleware: RouterMiddleware {
    package init(check: QueryParameterCheck) { self.check = check }
    package typealias Context = AppRequestContext
    package let check: QueryParameterCheck

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        if !query.isEmpty { try check.check(method: request.method.rawValue, path: request.uri.path, query: query) }
        return try await next(request, context)
    }
}
