import GuanxiAPI
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiSales

/// Implements the generated `APIProtocol`: every operation comes from the extension of
/// its area's protocol (`CustomerFileAPI`, `SalesAPI`), in the area's own folder.
struct APIHandlers: APIProtocol, SalesAPI {
    let services: CustomerFileServices
    let sales: SalesServices
}
