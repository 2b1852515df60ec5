"""On a phone (390 × 844) no page scrolls sideways, and lists are cards."""
import re
import unittest

import guanxi_browser as g
from selenium.webdriver.common.by import By

PAGES = ["/", "/customers", "/contacts", "/leads", "/opportunities", "/opportunities/board", "/opportunities/forecast", "/opportunities/targets", "/tasks",
         "/calendar", "/calendar?view=week", "/analytics", "/imports", "/data-quality", "/duplicates", "/search?q=%E7%A7%91%E6%8A%80",
         "/profile", "/notifications", "/admin/users", "/admin/audit", "/admin/roles", "/admin/settings", "/admin/pipelines", "/admin/status",
         "/admin/outbox", "/admin/inbox", "/templates", "/templates/new", "/mail-merges", "/activities/new?kind=meeting"]


class Phone(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.driver = g.browser(390, 844)
        g.sign_in(cls.driver, "admin")

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def record_pages(self):
        """One record page of each kind, reached from its list."""
        out = []
        for kind in ("customers", "contacts", "leads", "opportunities"):
            self.driver.get(g.URL + "/" + kind)
            links = [a.get_attribute("href") for a in self.driver.find_elements(By.CSS_SELECTOR, f"main a[href*='/{kind}/']")]
            record = next((href for href in links if g.UUID.search(href) and re.search(g.UUID.pattern + "$", href)), None)
            if record:
                out.append(record.replace(g.URL, ""))
        return out

    def test_no_page_scrolls_sideways(self):
        wide = []
        for path in PAGES + self.record_pages():
            self.driver.get(g.URL + path)
            width = self.driver.execute_script("return document.documentElement.scrollWidth")
            window = self.driver.execute_script("return window.innerWidth")
            if width > window:
                wide.append((path, width))
                g.screenshot(self.driver, "phone" + re.sub(r"[^a-z0-9]+", "-", path))
        self.assertEqual(wide, [], "pages wider than a 390 px phone (page, width)")

    def test_lists_are_cards(self):
        d = self.driver
        d.get(g.URL + "/customers")
        self.assertFalse(d.find_element(By.CSS_SELECTOR, "table.records thead").is_displayed())
        card = d.find_element(By.CSS_SELECTOR, "table.records tbody tr")
        title = card.find_element(By.CSS_SELECTOR, "td.title")
        self.assertTrue(title.is_displayed())
        shown = [td for td in card.find_elements(By.CSS_SELECTOR, "td[data-label]") if td.is_displayed()]
        self.assertTrue(1 <= len(shown) <= 4, len(shown))
        # Each value under its column's heading, on one line, not a character per line.
        first = shown[0]
        label = d.execute_script("return getComputedStyle(arguments[0], '::before').content", first)
        self.assertEqual(label.strip('"'), first.get_attribute("data-label"))
        self.assertLess(first.size["height"], 60)
        # The card is as wide as the screen allows.
        self.assertGreater(card.size["width"], 300)
        g.screenshot(d, "phone-customer-cards")


if __name__ == "__main__":
    unittest.main()
