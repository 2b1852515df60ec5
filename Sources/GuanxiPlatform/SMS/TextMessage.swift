import Foundation

/// A text message (SMS) to send, before the gateway's signature is put in front of it.
public struct TextMessage: Sendable {
    public var to: SMSNumber
    public var name: String?
    public var text: String
    public var purpose: MailMessage.Purpose
    /// The language of the text: a marketing message ends with how to opt out, in it.
    public var language: String

    public init(to: SMSNumber, name: String? = nil, text: String, purpose: MailMessage.Purpose, language: String = "zh-Hans") {
        (self.to, self.name, self.text, self.purpose, self.language) = (to, name, text, purpose, language)
    }

    /// The opt-out line of marketing texts: the reply words the inbound hook takes as "stop"
    /// (`SMSReplies.optOutWords`), the way Chinese operators expect it (回T退订).
    public static func optOutLine(language: String) -> String {
        language.hasPrefix("en") ? "Reply STOP to opt out" : "回T退订"
    }

    /// The text as it is stored and sent, the opt-out line added to marketing.
    public var body: String { Self.body(text, purpose: purpose, language: language) }

    public static func body(_ text: String, purpose: MailMessage.Purpose, language: String) -> String {
        purpose == .marketing ? text + " " + optOutLine(language: language) : text
    }
}
