import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

extension AppServices {
    /// The main menu, in the order it shows. Each area declares the entries of its pages
    /// and who sees them; the page layout draws what a user sees and names none of them.
    func registerMenu() {
        customerFile.menu.register(CustomerPages.menu, ContactPages.menu, LeadPages.menu, OpportunityPages.menu)
        customerFile.menu.register(ActivityPages.menu, CalendarPage.menu)
        customerFile.menu.register(AnalyticsPages.menu, ImportPages.menu(customerFile.records), DataQualityPages.menu)
        customerFile.menu.register(AdminUserPages.menu)
        customerFile.menu.register(AdminOrganisationPages.menu)
        customerFile.menu.register(AuditPages.menu)
        customerFile.menu.register(CustomerSettingsPages.menu, PipelineAdminPages.menu, CustomFieldPages.menu, StatusPages.menu)
    }
}
