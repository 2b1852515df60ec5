import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The headings of the main menu. Areas to come (service, marketing) add theirs here and
/// register their pages under them.
enum MenuGroups {
    static let customers = MenuGroup("customers", titleKey: "nav.groups.customers")
    static let sales = MenuGroup("sales", titleKey: "nav.groups.sales")
    static let schedule = MenuGroup("schedule", titleKey: "nav.groups.schedule")
    static let analytics = MenuGroup("analytics", titleKey: "nav.groups.analytics")
    static let marketing = MenuGroup("marketing", titleKey: "nav.groups.marketing")
    static let data = MenuGroup("data", titleKey: "nav.groups.data")
    static let admin = MenuGroup("admin", titleKey: "nav.groups.admin")
}

extension AppServices {
    /// The main menu, in the order it shows. Each area declares the entries of its pages
    /// and who sees them; the page layout draws what a user sees and names none of them.
    func registerMenu() {
        let menu = customerFile.menu
        menu.register(CustomerPages.menu, ContactPages.menu, in: MenuGroups.customers)
        menu.register(LeadPages.menu, OpportunityPages.menu, in: MenuGroups.sales)
        menu.register(ActivityPages.menu, CalendarPage.menu, in: MenuGroups.schedule)
        menu.register(TemplatePages.menu, MailMergePages.menu, in: MenuGroups.marketing)
        menu.register(AnalyticsPages.menu, in: MenuGroups.analytics)
        menu.register(ImportPages.menu(customerFile.records), DataQualityPages.menu, in: MenuGroups.data)
        menu.register([AdminUserPages.menu] + AdminOrganisationPages.menu + [AuditPages.menu, OutboxPages.menu, InboxPages.menu, CustomerSettingsPages.menu, PipelineAdminPages.menu,
                                                                          CustomFieldPages.menu, StatusPages.menu,
                                                                          .administrators("/api/docs", titleKey: "nav.api")], in: MenuGroups.admin)
        menu.registerCreate(.creators("/customers/new", titleKey: "customers.new", of: .customers),
                            .creators("/leads/new", titleKey: "leads.new", of: .leads),
                            .creators("/opportunities/new", titleKey: "opportunities.new", of: .opportunities),
                            .creators("/activities/new", titleKey: "activities.new", of: .activities))
    }
}
