import GuanxiPlatform

extension AppServices {
    /// The main menu, in the order it shows. Each area declares the entries of its pages
    /// and who sees them; the page layout draws what a user sees and names none of them.
    func registerMenu() {
        menu.register(CustomerPages.menu, ContactPages.menu, LeadPages.menu, OpportunityPages.menu)
        menu.register(ActivityPages.menu, CalendarPage.menu)
        menu.register(AnalyticsPages.menu, ImportPages.menu(records), DataQualityPages.menu)
        menu.register(AdminUserPages.menu)
        menu.register(AdminOrganisationPages.menu)
        menu.register(AuditPages.menu)
        menu.register(CustomerSettingsPages.menu, PipelineAdminPages.menu, CustomFieldPages.menu, StatusPages.menu)
    }
}
