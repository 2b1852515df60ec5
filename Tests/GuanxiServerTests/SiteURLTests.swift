import Foundation
import Testing
import GuanxiCustomerFile
import GuanxiPlatform

@Suite("Site addresses")
struct SiteURLTests {
    @Test("An address is built from its page's, with each segment and query value escaped")
    func escapes() {
        let id = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!
        #expect(SiteURL("/customers").appending(id).notice("saved").description == "/customers/6F9619FF-8B86-D011-B42D-00C04FC964FF?notice=saved")
        #expect(SiteURL("/").description == "/")
        #expect(SiteURL("/admin/users").description == "/admin/users")
        // A value cannot break out of its place: no extra parameter, no other path.
        #expect(SiteURL("/customers").with("q", "华为&admin=1").description == "/customers?q=%E5%8D%8E%E4%B8%BA%26admin%3D1")
        #expect(SiteURL("/customers").appending("../admin").description == "/customers/..%2Fadmin")
        #expect(SiteURL("/leads").with("owner", nil).with("page", 2).description == "/leads?page=2")
    }

    @Test("A query string received as is keeps its parameters, escaped once")
    func rawQuery() {
        let url = SiteURL("/contacts/export").with("format", "vcard4").with(rawQuery: "q=%E7%8E%8B&tag=vip")
        #expect(url.description == "/contacts/export?format=vcard4&q=%E7%8E%8B&tag=vip")
        #expect(SiteURL("/contacts").with(rawQuery: nil) == SiteURL("/contacts"))
    }

    @Test("A bulk action returns only to its own list, with the filters it came from")
    func bulkReturn() {
        #expect(ListRoutes.safeBack("/customers?tag=vip", kind: .customers).with("bulk_done", 2).description == "/customers?tag=vip&bulk_done=2")
        #expect(ListRoutes.safeBack("https://evil.example/customers?x", kind: .customers) == SiteURL("/customers"))
        #expect(ListRoutes.safeBack("/contacts?tag=vip", kind: .customers) == SiteURL("/customers"))
        #expect(ListRoutes.safeBack(nil, kind: .customers) == SiteURL("/customers"))
    }
}
