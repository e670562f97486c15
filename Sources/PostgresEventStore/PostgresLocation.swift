import EventStore
import Foundation
import PostgresNIO

/// Where a PostgreSQL ledger lives: a connection URL, read once.
///
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` for a TCP
/// connection, or `postgresql://USER@/DATABASE?host=/run/postgresql` (the
/// socket directory in `host`, as libpq reads it) for a Unix socket.
/// `postgres://` is accepted too. `schema=NAME` keeps the ledger's tables in
/// a schema of their own (created when missing), so that one database can
/// hold several ledgers. TLS is not spoken: the connection is meant for a
/// socket or a trusted network (see Docs/ScaleOut.md).
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// The user to connect as.
    public let username: String
    /// The password, when the server asks for one.
    public let password: String?
    /// The database that holds the ledger's tables.
    public let database: String
    /// The host name or address, for TCP; `nil` for a Unix socket.
    public let host: String?
    /// The port, also the number in the socket's file name.
    public let port: Int
    /// The socket directory; `nil` for TCP.
    public let socketDirectory: String?
    /// The schema that holds the ledger's tables; `nil` for the database's
    /// default (`public`).
    public let schema: String?

    /// Reads `url`; the error names what is wrong with it.
    public init(url: String) throws(EventStoreError) {
        func refuse(_ reason: String) -> EventStoreError {
            .notALedger(path: Self.redacted(url), reason: "not a PostgreSQL URL: \(reason)")
        }
        guard let components = URLComponents(string: url) else { throw refuse("it does not parse as a URL") }
        guard let scheme = components.scheme, scheme == "postgresql" || scheme == "postgres" else {
            throw refuse("it must start with postgresql://")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        for name in query.keys where !["host", "port", "user", "password", "schema"].contains(name) {
            throw refuse("unknown parameter '\(name)'")
        }
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? query["user"] ?? ""
        guard !user.isEmpty else { throw refuse("it names no user (postgresql://USER@...)") }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else { throw refuse("it names no database (.../DATABASE)") }
        var port = components.port ?? 5432
        if let text = query["port"] {
            guard let number = Int(text) else { throw refuse("port '\(text)' is not a number") }
            port = number
        }
        guard (1...65535).contains(port) else { throw refuse("port \(port) is out of range") }
        if let schema = query["schema"] {
            guard let first = schema.utf8.first, schema.utf8.count <= 63, first == UInt8(ascii: "_") || (97...122).contains(first),
                  schema.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (97...122).contains($0) || (48...57).contains($0) })
            else { throw refuse("schema '\(schema)' is not a lowercase name of letters, digits and _ (at most 63)") }
        }
        schema = query["schema"]
        let hostParameter = query["host"].flatMap { $0.isEmpty ? nil : $0 }
        let urlHost = components.host.flatMap { $0.isEmpty ? nil : $0 }
        username = user
        password = components.password.flatMap { $0.removingPercentEncoding } ?? query["password"]
        self.database = database
        self.port = port
        if let directory = hostParameter, directory.hasPrefix("/") {
            guard urlHost == nil else { throw refuse("it names both a host and a socket directory") }
            host = nil
            socketDirectory = directory
        } else if let name = hostParameter ?? urlHost {
            host = name
            socketDirectory = nil
        } else {
            throw refuse("it names no host and no socket directory (?host=/DIR)")
        }
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        let inSchema = schema.map { "schema=\($0)" }
        if let socketDirectory {
            return "postgresql://\(username)@/\(database)?host=\(socketDirectory)&port=\(port)" + (inSchema.map { "&" + $0 } ?? "")
        }
        return "postgresql://\(username)@\(host ?? ""):\(port)/\(database)" + (inSchema.map { "?" + $0 } ?? "")
    }

    /// The channel of this ledger's commit notifications: one per schema,
    /// so that ledgers sharing a database do not wake each other.
    var notificationChannel: String { "jobledger_commits" + (schema.map { "_" + $0 } ?? "") }

    /// The connection settings postgres-nio takes.
    var configuration: PostgresConnection.Configuration {
        if let socketDirectory {
            return PostgresConnection.Configuration(
                unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        }
        return PostgresConnection.Configuration(
            host: host ?? "localhost", port: port, username: username, password: password, database: database,
            tls: .disable)
    }

    /// `url` with any password replaced, for an error about the URL itself.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
