import Foundation
import Hummingbird

/// The dashboard's style sheet and script, kept in the repository and
/// served by the server itself: nothing is fetched from elsewhere.
enum Assets {
    /// The files, read from the build's resources once.
    static let files: [String: (data: Data, type: String)] = {
        var files: [String: (Data, String)] = [:]
        for (name, ext, type) in [
            ("dashboard", "css", "text/css; charset=utf-8"), ("dashboard", "js", "text/javascript; charset=utf-8"),
        ] {
            if let url = Bundle.module.url(forResource: name, withExtension: ext), let data = try? Data(contentsOf: url) {
                files["\(name).\(ext)"] = (data, type)
            }
        }
        return files
    }()

    static func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("assets/{file}") { _, context in
            let name = try context.parameters.require("file")
            guard let file = files[name] else { throw Problem(.notFound, "no such file '\(name)'") }
            var headers = HTTPFields()
            headers[.contentType] = file.type
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.data)))
        }
    }
}
