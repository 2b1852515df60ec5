import FluentKit
import Foundation
import GuanxiPlatform

extension RecordKind {
    /// Custom field definitions; changed by administrators.
    public static let customFields = RecordKind(rawValue: "custom_fields")
}

/// A field an administrator adds to a kind of record without a code change (自定义字段):
/// "年营业额" on customers, "决策链" on opportunities. Values are validated on every write
/// and can be filtered, sorted and shown as list columns.
public final class CustomField: Model, @unchecked Sendable {
    public static let schema = "custom_fields"
    @ID(key: .id) public var id: UUID?
    @Field(key: "record_kind") public var recordKind: String
    /// The name clients use: a–z, 0–9 and `_`, starting with a letter.
    @Field(key: "key") public var key: String
    @Field(key: "label") public var label: String
    @Field(key: "type") public var type: String
    /// The allowed values of a choice field, in order, as JSON.
    @Field(key: "choices") package var choicesJSON: String
    @Field(key: "required") public var required: Bool
    @Field(key: "position") public var position: Int
    @Field(key: "version") public var version: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}

    public var choices: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(choicesJSON.utf8))) ?? [] }
        set { choicesJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    public var fieldType: CustomFieldType { CustomFieldType(rawValue: type) ?? .text }

    package var auditSnapshot: AuditSnapshot {
        ["record_kind": recordKind, "key": key, "label": label, "type": type, "choices": choices.isEmpty ? nil : choices.joined(separator: ", "),
         "required": String(required)]
    }
}

public enum CustomFieldType: String, Sendable, CaseIterable, Codable {
    case text, number, money, date, choice, multiChoice = "multi_choice", boolean

    package var hasChoices: Bool { self == .choice || self == .multiChoice }
}

/// A custom field's value, checked against its type.
public enum CustomValue: Sendable, Equatable {
    case text(String)
    case number(Decimal)
    case money(Money)
    /// YYYY-MM-DD.
    case date(String)
    case choice(String)
    case choices([String])
    case boolean(Bool)

    /// How the value is stored and compared: one row per chosen option for multiple
    /// choice, canonical text otherwise; numbers also go into a numeric column so they
    /// sort and compare as numbers.
    package var storedTexts: [String] {
        switch self {
        case .text(let v), .date(let v), .choice(let v): [v]
        case .number(let d): [NSDecimalNumber(decimal: d).stringValue]
        case .money(let m): [m.decimalText]
        case .choices(let list): list
        case .boolean(let b): [b ? "true" : "false"]
        }
    }

    package var storedNumber: Double? {
        switch self {
        case .number(let d): NSDecimalNumber(decimal: d).doubleValue
        case .money(let m): Double(m.minorUnits) / 100
        default: nil
        }
    }

    /// For audit entries and list cells.
    public var display: String {
        switch self {
        case .money(let m): m.display
        case .boolean(let b): b ? "✓" : "✗"
        case .choices(let list): list.joined(separator: ", ")
        default: storedTexts.first ?? ""
        }
    }

    /// As an import file carries it, so that importing the text gives the value back.
    package var importText: String {
        switch self {
        case .choices(let list): list.joined(separator: "; ")
        default: storedTexts.first ?? ""
        }
    }

    package static func read(_ type: CustomFieldType, texts: [String]) -> CustomValue? {
        guard let first = texts.first else { return nil }
        switch type {
        case .text: return .text(first)
        case .number: return Decimal(string: first, locale: Locale(identifier: "en_US_POSIX")).map(CustomValue.number)
        case .money: return (try? Money.parse(first, field: "")).flatMap { $0 }.map(CustomValue.money)
        case .date: return .date(first)
        case .choice: return .choice(first)
        case .multiChoice: return .choices(texts)
        case .boolean: return .boolean(first == "true")
        }
    }
}

/// A value as a client sends it, before it is checked against the field's type.
public enum CustomInput: Sendable, Equatable {
    case text(String)
    case number(Double)
    case boolean(Bool)
    case list([String])
    /// Clears the field.
    case none
}
