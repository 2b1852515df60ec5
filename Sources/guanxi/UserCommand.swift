import ArgumentParser
import Foundation
import GuanxiServer
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// `guanxi user …`: accounts from the shell, acting as the machine's administrator.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage user accounts.",
        subcommands: [Add.self, Passwd.self, Disable.self, Token.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user. Prints a one-time password unless --password is given.")
        @Argument(help: "Sign-in name (3–64 of a–z, 0–9, '.', '-', '_').") var username: String
        @Option(help: "Name shown in the interface.") var displayName: String?
        @Option(help: "E-mail address.") var email: String?
        @Option(help: "Initial password (the user must change it at first sign-in).") var password: String?
        @Flag(help: "Make the user an administrator.") var admin = false
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await runReportingErrors {
                let initial = password ?? Passwords.generate()
                try await Runtime.withServices(try await storage.load()) { services in
                    var new = UserService.NewUser()
                    new.username = username
                    new.displayName = displayName
                    new.email = email
                    new.password = initial
                    new.isAdmin = admin
                    _ = try await services.users.create(new, by: PrincipalLoader.console())
                }
                print("Created user \(username.lowercased())." + (password == nil ? " One-time password: \(initial)" : ""))
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a new password; the user must change it at next sign-in.")
        @Argument var username: String
        @Option(help: "The new password; a random one is printed when left out.") var password: String?
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await runReportingErrors {
                let new = password ?? Passwords.generate()
                try await Runtime.withServices(try await storage.load()) { services in
                    let user = try await existing(username, services)
                    try await services.users.resetPassword(user.id!, to: new, by: PrincipalLoader.console())
                }
                print("Password of \(username) reset." + (password == nil ? " One-time password: \(new)" : ""))
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: its sessions end and its API tokens stop working.")
        @Argument var username: String
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await runReportingErrors {
                try await Runtime.withServices(try await storage.load()) { services in
                    let user = try await existing(username, services)
                    var changes = UserService.UserChanges()
                    changes.isActive = false
                    _ = try await services.users.update(user.id!, changes, by: PrincipalLoader.console())
                }
                print("Disabled \(username).")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a personal API token for a user and print it once.")
        @Argument var username: String
        @Option(help: "A name to recognise the token by.") var name = "command line"
        @Option(help: "Days until the token expires (1–3650); never when left out.") var expiresInDays: Int?
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await runReportingErrors {
                let token = try await Runtime.withServices(try await storage.load()) { services in
                    let user = try await existing(username, services)
                    return try await services.tokens.issue(for: user.id!, name: name, expiresInDays: expiresInDays, by: PrincipalLoader.console()).token
                }
                print(token)
            }
        }
    }
}

func existing(_ username: String, _ services: AppServices) async throws -> User {
    guard let user = try await services.users.find(username: username) else {
        throw GuanxiError(.notFound, "There is no user named \"\(username)\".")
    }
    return user
}
