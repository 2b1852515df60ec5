import Foundation

/// A message written once and sent to many: an e-mail, a text message (SMS) or a printed
/// letter, in one language, with merge fields (`{{contact.name}}`) filled in for each
/// recipient (`MergeText`).
public struct MessageTemplate: Sendable, Equatable {
    public enum Channel: String, Sendable, CaseIterable, Codable {
        case email, sms, letter
    }

    public var id: UUID
    public var name: String
    public var channel: Channel
    /// Marketing needs the recipient's consent and carries an unsubscribe link;
    /// transactional messages (a confirmation, a notice) go to anyone concerned.
    public var purpose: MailMessage.Purpose
    /// `zh-Hans` or `en`: the language it is written in, and in which dates are filled in.
    public var language: String
    /// The e-mail subject, or the letter's heading; empty for SMS.
    public var subject: String
    public var body: String
    public var version: Int
    public var updatedAt: Date

    public var cursor: String { Keyset.cursor(.text(name), id: id) }
}

/// What a person writes in the template form or the API.
public struct MessageTemplateInput: Sendable {
    public var name: String?
    public var channel: String?
    public var purpose: String?
    public var language: String?
    public var subject: String?
    public var body: String?
    /// The version the writer saw, for an update: a later change by someone else is not overwritten.
    public var version: Int?
    public init() {}
}

extension MessageTemplate {
    /// The longest body per channel: a long e-mail; an SMS of at most seven parts (70
    /// Chinese characters each); a letter of a few pages.
    public static func longest(_ channel: Channel) -> Int {
        switch channel {
        case .email: 50_000
        case .sms: 500
        case .letter: 20_000
        }
    }

    /// Checks an input into a template; `fields` are the merge fields its texts may name.
    static func validated(_ input: MessageTemplateInput, id: UUID, version: Int, now: Date, fields: Set<String>) throws -> MessageTemplate {
        let name = try Validate.requiredText(input.name, field: "name", max: 100)
        let channel = try choice(input.channel, field: "channel", Channel.allCases.map(\.rawValue)).flatMap(Channel.init(rawValue:))!
        let purposes = [MailMessage.Purpose.marketing, .transactional].map(\.rawValue)
        let purpose = try choice(input.purpose ?? "transactional", field: "purpose", purposes).flatMap(MailMessage.Purpose.init(rawValue:))!
        let language = try choice(input.language, field: "language", Localizer.supported)!
        var subject = ""
        switch channel {
        case .email:
            subject = try Validate.requiredText(input.subject, field: "subject", max: 200)
        case .letter:
            subject = try Validate.text(input.subject, field: "subject", required: false, max: 200) ?? ""
        case .sms:
            break
        }
        if subject.contains("\n") {
            throw GuanxiError.invalid("subject", "subject must be one line.").localized("msg.one_line", ["field": "subject"])
        }
        let body = try Validate.requiredText(input.body, field: "body", max: longest(channel))
        try MergeText.check(subject, field: "subject", fields: fields)
        try MergeText.check(body, field: "body", fields: fields)
        return MessageTemplate(id: id, name: name, channel: channel, purpose: channel == .letter ? .transactional : purpose, language: language,
                               subject: subject, body: body, version: version, updatedAt: now)
    }

    /// One of `choices`, or an error that lists them.
    static func choice(_ value: String?, field: String, _ choices: [String]) throws -> String? {
        let value = try Validate.requiredText(value, field: field, max: 32)
        guard choices.contains(value) else {
            throw GuanxiError.invalid(field, "\(field) must be one of \(choices.joined(separator: ", ")).")
                .localized("msg.choice", ["field": field, "choices": choices.joined(separator: ", ")])
        }
        return value
    }
}
