import Hummingbird

/// What a layer or business area hands the app once it is built: its web pages, the
/// background jobs it runs and the upkeep it needs every hour. The app mounts the pages
/// and gives the jobs to its worker; which pages and jobs there are is the area's own
/// business, so adding one touches only the area.
package struct AreaParts: Sendable {
    package typealias Pages<Context: RequestContext> = @Sendable (RouterGroup<Context>) -> Void

    /// Pages anyone may open (sign-in, calendar feeds that carry their own key).
    package var openPages: [Pages<AppRequestContext>] = []
    /// Addresses that the link itself authorises and that other programs post to without
    /// a form of ours (a mail program's one-click unsubscribe): no session, no CSRF token.
    package var linkActions: [Pages<AppRequestContext>] = []
    /// Pages behind sign-in.
    package var pages: [Pages<SignedInContext>] = []
    /// Handlers of queued jobs, by job kind.
    package var jobs: [String: JobHandler] = [:]
    /// Jobs queued once a day.
    package var daily: [DailyJob] = []
    /// Steps of the hourly housekeeping job.
    package var upkeep: [Housekeeping.Task] = []

    package init() {}

    /// Every part of `areas`, in their order.
    package static func combined(_ areas: [AreaParts]) -> AreaParts {
        var all = AreaParts()
        for area in areas {
            all.openPages += area.openPages
            all.linkActions += area.linkActions
            all.pages += area.pages
            all.jobs.merge(area.jobs) { first, _ in first }
            all.daily += area.daily
            all.upkeep += area.upkeep
        }
        return all
    }
}
