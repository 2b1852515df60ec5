import Foundation

/// The text-message gateway an administrator set up, kept in the settings: the secret
/// apart from the rest, so it is never shown again nor written into the audit trail.
public struct SMSGateways: Sendable {
    let settings: SettingsStore
    /// Makes the transport of an HTTP gateway (tests may point it at their own server).
    let transport: @Sendable (SMSGatewaySettings) -> any SMSTransport

    public init(settings: SettingsStore, transport: @escaping @Sendable (SMSGatewaySettings) -> any SMSTransport = { HTTPSMSGateway(settings: $0) }) {
        (self.settings, self.transport) = (settings, transport)
    }

    static let secretKey = SMSGatewaySettings.setting + ".secret"

    /// The gateway with its secret, or nil when none is set up (texts then wait in the outbox).
    public func current() async throws -> SMSGatewaySettings? {
        guard var gateway = try await settings.value(SMSGatewaySettings.setting, as: SMSGatewaySettings.self) else { return nil }
        gateway.secret = try await settings.value(Self.secretKey, as: String.self) ?? ""
        return gateway
    }

    /// Whether a secret is stored (the settings page says so instead of showing it).
    public func hasSecret() async throws -> Bool {
        !(try await settings.value(Self.secretKey, as: String.self) ?? "").isEmpty
    }

    /// Saves the gateway; an empty secret keeps the stored one.
    public func save(_ gateway: SMSGatewaySettings, by actor: Principal) async throws {
        var gateway = gateway
        if gateway.secret.isEmpty { gateway.secret = try await settings.value(Self.secretKey, as: String.self) ?? "" }
        try gateway.validate()
        if try await settings.value(Self.secretKey, as: String.self) != gateway.secret {
            try await settings.set(Self.secretKey, to: gateway.secret, by: actor, secret: true)
        }
        try await settings.set(SMSGatewaySettings.setting, to: gateway.withoutSecret, by: actor)
    }

    /// Switches texting off: messages wait until a gateway is set up again.
    public func remove(by actor: Principal) async throws {
        try await settings.set(SMSGatewaySettings.setting, to: Optional<SMSGatewaySettings>.none, by: actor)
        try await settings.set(Self.secretKey, to: Optional<String>.none, by: actor, secret: true)
    }

    /// What sends through `gateway`.
    public func sender(for gateway: SMSGatewaySettings) -> any SMSTransport {
        gateway.kind == .test ? TestSMSGateway() : transport(gateway)
    }
}
