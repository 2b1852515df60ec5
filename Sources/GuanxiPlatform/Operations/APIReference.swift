import Foundation
import Yams

/// A readable reference of the REST API, built from the OpenAPI document itself so
/// the page cannot drift from the contract.
package struct APIReference {
    package struct Operation {
        package let method: String
        package let path: String
        package let operationID: String
        package let summary: String
        package let parameters: [String]
        package let requestBody: String?
        package let responses: [String]
    }
    package struct Schema {
        package let name: String
        package let fields: [String]
    }

    package let title: String
    package let description: String
    package let operations: [Operation]
    package let schemas: [Schema]

    package static let methods = ["get", "post", "put", "patch", "delete"]

    package static func parse(_ yaml: String) -> APIReference {
        guard let root = (try? Yams.load(yaml: yaml)) as? [String: Any] else {
            return APIReference(title: "Guanxi API", description: "", operations: [], schemas: [])
        }
        let info = root["info"] as? [String: Any] ?? [:]
        let base = ((root["servers"] as? [[String: Any]])?.first?["url"] as? String) ?? ""
        var operations: [Operation] = []
        let paths = root["paths"] as? [String: Any] ?? [:]
        for path in paths.keys.sorted() {
            guard let item = paths[path] as? [String: Any] else { continue }
            let shared = item["parameters"] as? [[String: Any]] ?? []
            for method in methods {
                guard let op = item[method] as? [String: Any] else { continue }
                let params = (shared + (op["parameters"] as? [[String: Any]] ?? [])).map { p -> String in
                    if let ref = p["$ref"] as? String { return ref.components(separatedBy: "/").last ?? ref }
                    return "\(p["name"] as? String ?? "?") (\(p["in"] as? String ?? ""))"
                }
                let body = ((op["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
                let bodyRef = ((body?["schema"] as? [String: Any])?["$ref"] as? String)?.components(separatedBy: "/").last
                let responses = (op["responses"] as? [String: Any] ?? [:]).keys.sorted()
                operations.append(Operation(method: method.uppercased(), path: base + path, operationID: op["operationId"] as? String ?? "",
                                            summary: op["summary"] as? String ?? "", parameters: params, requestBody: bodyRef, responses: responses))
            }
        }
        let schemaTable = (root["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        let schemas = schemaTable.keys.sorted().map { name -> Schema in
            let schema = schemaTable[name] as? [String: Any] ?? [:]
            let required = Set(schema["required"] as? [String] ?? [])
            let properties = schema["properties"] as? [String: Any] ?? [:]
            return Schema(name: name, fields: properties.keys.sorted().map { required.contains($0) ? "\($0) *" : $0 })
        }
        return APIReference(title: info["title"] as? String ?? "", description: info["description"] as? String ?? "",
                            operations: operations, schemas: schemas)
    }
}
