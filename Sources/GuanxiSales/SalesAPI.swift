import GuanxiCustomerFile

/// The REST API's operations on leads, deals, pipelines and the forecast (see
/// `CustomerFileAPI`): they read the sales services as `sales`.
package protocol SalesAPI: CustomerFileAPI {
    var sales: SalesServices { get }
}
