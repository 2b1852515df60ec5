import GuanxiPlatform

extension CustomerFileServices {
    /// The customer file's pages, in the order they are mounted, and its upkeep: the
    /// platform's (expired sessions, old rate-limit counters, finished jobs), customers
    /// neglected in the shared pool, and values left by deleted records.
    package var parts: AreaParts {
        var parts = AreaParts()
        parts.openPages = [SignInPages(services: self).register, CalendarFeed(services: self).register, UnsubscribePages(services: self).register,
                           PasswordResetPages(services: self).register]
        parts.linkActions = [UnsubscribePages(services: self).registerOneClick, TextReplyHook(services: self).register]
        parts.pages = [
            HomePages(services: self).register, CustomerPages(services: self).register, ContactPages(services: self).register,
            ActivityPages(services: self).register, CustomFieldPages(services: self).register, ListRoutes(services: self).register,
        ]
        // Kinds declared as data get their pages from their declaration.
        parts.pages += records.all.compactMap(\.schema).map { SchemaPages(services: self, schema: $0).register }
        parts.pages += [
            DuplicatePages(services: self).register, DataQualityPages(services: self).register, AttachmentPages(services: self).register,
            CustomerSettingsPages(services: self).register, SearchPages(services: self).register, ProfilePages(services: self).register,
            AdminUserPages(services: self).register, AdminOrganisationPages(services: self).register, AuditPages(services: self).register,
            OutboxPages(services: self).register,
            InboxPages(services: self).register,
            NotificationPages(services: self).register,
            TemplatePages(services: self).register,
            MailMergePages(services: self).register,
            PrintPages(services: self).register,
            TextMessagePages(services: self).register,
        ]
        parts.jobs = [MailMerge.jobKind: { [self] payload in try await MailMerge(services: self).runQueued(payload) }]
        let (sessions, rateLimiter, jobs, customerPool) = (sessions, rateLimiter, jobs, customerPool)
        let leftovers = Leftovers(database: database, records: records)
        parts.upkeep = [
            { _ = try await sessions.purgeExpired() },
            { try await rateLimiter.purge() },
            { try await jobs.purgeFinished() },
            { try await customerPool.returnNeglected() },
            { try await leftovers.purge() },
        ]
        return parts
    }
}
