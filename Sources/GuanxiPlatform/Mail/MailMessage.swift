import Foundation

/// A message to send, before it is written out for the wire.
public struct MailMessage: Sendable {
    /// Why a message is sent: marketing needs the recipient's consent and carries an
    /// unsubscribe link; automatic mail (notifications, reminders) is marked so that
    /// auto-responders do not answer it; transactional mail (a reply, a confirmation)
    /// goes to anyone who asked for it.
    public enum Purpose: String, Sendable, CaseIterable, Codable {
        case transactional, marketing, automatic
    }

    public var from: MailAddress
    public var to: MailAddress
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [MailAttachment] = []
    public var purpose: Purpose
    /// The one-click unsubscribe address of a marketing message (RFC 8058).
    public var unsubscribeURL: String?
    /// The message this one answers, for threading (`In-Reply-To`, `References`).
    public var inReplyTo: String?

    public init(from: MailAddress, to: MailAddress, subject: String, text: String, html: String? = nil, purpose: Purpose) {
        (self.from, self.to, self.subject, self.text, self.html, self.purpose) = (from, to, subject, text, html, purpose)
    }
}

/// A file sent with a message.
public struct MailAttachment: Sendable {
    public var filename: String
    public var contentType: String
    public var data: Data
    public init(filename: String, contentType: String, data: Data) { (self.filename, self.contentType, self.data) = (filename, contentType, data) }
}
