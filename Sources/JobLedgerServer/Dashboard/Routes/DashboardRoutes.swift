import Foundation
import Hummingbird
import JobLedger

/// The dashboard's routes, at the root of the server: sign-in, the pages,
/// the actions, the live stream and the static files. Every answer carries
/// the ``SecurityHeaders``.
struct DashboardRoutes: Sendable {
    let dashboard: Dashboard

    init(state: ServerState, sessions: DashboardSessions) {
        dashboard = Dashboard(state: state, sessions: sessions)
    }

    func register(on router: Router<LedgerRequestContext>) {
        let group = router.group().add(middleware: SecurityHeaders())
        let dashboard = self.dashboard
        SignInRoutes(dashboard: dashboard).register(on: group)
        Assets.register(on: group)
        group.get("/") { request, context in
            await dashboard.page(request, context) { _ in Layout.redirect("/jobs") }
        }
        group.get("jobs") { request, context in
            await dashboard.page(request, context) { session in try JobsPage(dashboard: dashboard).render(request, session) }
        }
        group.get("jobs/{id}") { request, context in
            await dashboard.page(request, context) { session in
                try JobPage(dashboard: dashboard).render(try context.pathParameter("id"), request, session)
            }
        }
        group.get("jobs/{id}/{action}") { request, context in
            await dashboard.page(request, context) { session in
                try ActionPages(dashboard: dashboard).confirm(
                    try context.pathParameter("id"), try ActionPages.action(try context.pathParameter("action")), session)
            }
        }
        group.post("jobs/{id}/{action}") { request, context in
            await dashboard.page(request, context) { _ in
                let form = try await dashboard.form(request)
                let session = try dashboard.session(request, form: form)
                return try await ActionPages(dashboard: dashboard).run(
                    try context.pathParameter("id"), try ActionPages.action(try context.pathParameter("action")), form, session, context)
            }
        }
        group.get("bulk") { request, context in
            await dashboard.page(request, context) { session in try BulkActionPages(dashboard: dashboard).confirm(request, session) }
        }
        group.post("bulk") { request, context in
            await dashboard.page(request, context) { _ in
                let form = try await dashboard.form(request)
                let session = try dashboard.session(request, form: form)
                return try await BulkActionPages(dashboard: dashboard).run(form, session, context)
            }
        }
        group.get("bulk/matching") { request, context in
            await dashboard.page(request, context) { session in try BulkMatchingPages(dashboard: dashboard).confirm(request, session) }
        }
        group.post("bulk/matching") { request, context in
            await dashboard.page(request, context) { _ in
                let form = try await dashboard.form(request)
                let session = try dashboard.session(request, form: form)
                return try await BulkMatchingPages(dashboard: dashboard).run(form, session)
            }
        }
        group.get("batches/{batch}/kill") { request, context in
            await dashboard.page(request, context) { session in
                try BatchKillPages(dashboard: dashboard).confirm(try context.pathParameter("batch"), session)
            }
        }
        group.post("batches/{batch}/kill") { request, context in
            await dashboard.page(request, context) { _ in
                let form = try await dashboard.form(request)
                let session = try dashboard.session(request, form: form)
                return try await BatchKillPages(dashboard: dashboard).run(try context.pathParameter("batch"), form, session, context)
            }
        }
        group.get("overview") { request, context in
            await dashboard.page(request, context) { session in try await OverviewPage(dashboard: dashboard).render(session) }
        }
        group.get("events") { request, context in
            await dashboard.page(request, context) { session in try EventsPage(dashboard: dashboard).render(request, session) }
        }
        group.get("events/export") { request, context in
            await dashboard.page(request, context) { session in
                try Permissions.requireSystem(session.identity, for: "the event log")
                let parameters = request.uri.queryParameters
                let export = EventsExport(
                    store: dashboard.ledger.store, filters: EventFilters(parameters), format: try EventsExport.format(parameters.get("format")))
                // The download ends at the log's end as it is now, like the command line's.
                return export.response(end: try dashboard.ledger.store.lastPosition(), logger: context.logger)
            }
        }
        group.get("live") { request, context in
            do {
                return try LiveRoute(dashboard: dashboard).response(request)
            } catch is Dashboard.SignInRequired {
                throw Problem(.unauthorized, "no dashboard session; sign in again")
            }
        }
    }
}
