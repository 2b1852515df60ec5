import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales
/// Every migration, in the order they apply. Append only; never reorder or rename.
public enum AllMigrations {
    public static let list: [any GuanxiMigration] = [
        M0001_CreateSettings(),
        M0002_CreateDepartments(),
        M0003_CreateUsers(),
        M0004_CreateTeams(),
        M0005_CreateRoles(),
        M0006_CreateSessions(),
        M0007_CreateAPITokens(),
        M0008_CreateAuditLog(),
        M0009_CreateRateLimits(),
        M0010_CreateJobs(),
        M0011_AddTOTPLastStep(),
        M0012_CreateCustomers(),
        M0013_CreateContacts(),
        M0014_AddSearchIndex(),
        M0015_CreateLeads(),
        M0016_CreateOpportunities(),
        M0017_CreateActivities(),
        M0018_CreateCustomFields(),
        M0019_CreateSavedViews(),
        M0020_CreateAttachments(),
        M0021_AddGivenNameIndexes(),
        M0022_CreatePurchases(),
        M0023_CreateCustomerScores(),
        M0024_AddCustomerExternalID(),
        M0025_CreateImportJobs(),
        M0026_AddCalendarFeed(),
        M0027_CreateMerges(),
        M0028_CreateContactWayProblems(),
        M0029_CreateSetAsideIndexes(),
        M0030_IndexSearchUpdatesByKey(),
        M0031_AddTOTPPendingSecret(),
        M0032_SplitSearchIndexByKind(),
        M0033_CreateListColumns(),
        M0034_AddNameSortKeys(),
        M0035_CreateSalesTargets(),
        M0036_CreateOutbox(),
        M0037_CreatePasswordResets(),
        M0038_CreateInbox(),
        M0039_CreateNotifications(),
        M0040_CreateMessageTemplates(),
        M0041_AddTextMessages(),
        M0042_KeepSortKeysWithSearchKeys(),
        M0043_CoverShortNameSearches(),
        M0044_DropDuplicateCustomerEmailIndex(),
    ]
}
