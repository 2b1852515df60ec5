import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Saved views and bulk actions over the REST API.
extension CustomerFileAPI {
    package func listViews(_ input: Operations.listViews.Input) async throws -> Operations.listViews.Output {
        let principal = try RequestPrincipal.require()
        let views = try await services.savedViews.list(RecordKind(rawValue: input.query.recordKind.rawValue), for: principal)
        return .ok(.init(body: .json(.init(items: views.map { Self.apiView($0, for: principal) }))))
    }

    package func createView(_ input: Operations.createView.Input) async throws -> Operations.createView.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let view = try await services.savedViews.create(Self.viewInput(body), by: principal)
        return .created(.init(body: .json(Self.apiView(view, for: principal))))
    }

    package func updateView(_ input: Operations.updateView.Input) async throws -> Operations.updateView.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        var change = Self.viewInput(body)
        change.recordKind = nil
        let view = try await services.savedViews.update(try Self.id(input.path.viewId, field: "viewId"), change, by: principal)
        return .ok(.init(body: .json(Self.apiView(view, for: principal))))
    }

    package func deleteView(_ input: Operations.deleteView.Input) async throws -> Operations.deleteView.Output {
        let principal = try RequestPrincipal.require()
        try await services.savedViews.delete(try Self.id(input.path.viewId, field: "viewId"), by: principal)
        return .noContent(.init())
    }

    package func bulkAction(_ input: Operations.bulkAction.Input) async throws -> Operations.bulkAction.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let ids = try body.ids.enumerated().map { try Self.id($0.element, field: "ids[\($0.offset)]") }
        let result = try await BulkActions(services: services).run(
            BulkActions.Action(rawValue: body.action.rawValue)!, on: RecordKind(rawValue: body.recordKind.rawValue), ids: ids,
            ownerID: try body.ownerId.map { try Self.id($0, field: "ownerId") }, tag: body.tag, by: principal)
        return .ok(.init(body: .json(.init(succeeded: result.succeeded, failed: result.failed.map {
            .init(id: $0.id.uuidString, code: $0.error.code ?? $0.error.kind.rawValue, message: $0.error.message)
        }))))
    }

    package static func viewInput(_ body: Components.Schemas.SavedViewWrite) -> SavedViewInput {
        var input = SavedViewInput()
        (input.recordKind, input.name, input.shared, input.query, input.columns) = (body.recordKind, body.name, body.shared, body.query, body.columns)
        return input
    }

    package static func apiView(_ v: SavedView, for principal: Principal) -> Components.Schemas.SavedView {
        .init(id: v.id!.uuidString, recordKind: .init(rawValue: v.recordKind) ?? .customers, name: v.name, shared: v.shared, query: v.query,
              columns: v.columns, mine: v.ownerID == principal.userID)
    }
}
