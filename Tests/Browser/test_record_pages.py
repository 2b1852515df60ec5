"""Record pages as a rep uses them: the header's breadcrumbs and key facts, the section
index with its counts, and a field changed where it stands — saved in the background,
redrawn from the server, refused with its reason when wrong."""
import re
import unittest

import guanxi_browser as g
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait


class RecordPages(unittest.TestCase):
    def setUp(self):
        self.driver = g.browser()
        g.sign_in(self.driver, "zhao.yang")

    def tearDown(self):
        self.assertEqual(g.script_errors(self.driver), [])
        self.driver.quit()

    def wait(self, condition, seconds=15):
        return WebDriverWait(self.driver, seconds).until(condition)

    def customer_with_contacts(self):
        """The first customer of the rep's list whose page lists people."""
        d = self.driver
        d.get(g.URL + "/customers")
        links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "main td a[href^='/customers/']")
                 if re.search(g.UUID.pattern + "$", a.get_attribute("href"))]
        for href in links[:20]:
            d.get(href)
            count = d.find_elements(By.CSS_SELECTOR, "nav.sections a[href='#contacts'] .count")
            if count and count[0].text not in ("", "0"):
                return href
        self.fail("no customer of the rep lists contacts")

    def test_header_index_and_sections(self):
        d = self.driver
        self.customer_with_contacts()
        crumbs = d.find_element(By.CSS_SELECTOR, "nav.crumbs").text
        self.assertTrue(crumbs.startswith("客户"), crumbs)
        self.assertIn(d.find_element(By.CSS_SELECTOR, ".record-head h1").text.split(" ")[0], crumbs)
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, ".record-head dl.facts dt"))
        # The index's count is the number of rows its section lists.
        count = int(d.find_element(By.CSS_SELECTOR, "nav.sections a[href='#contacts'] .count").text)
        rows = d.find_elements(By.CSS_SELECTOR, "section#contacts tbody tr")
        self.assertEqual(count, len(rows))
        d.find_element(By.CSS_SELECTOR, "nav.sections a[href='#timeline']").click()
        self.wait(ready.url_contains("#timeline"))
        # The index stays in view while the page scrolls.
        index = d.find_element(By.CSS_SELECTOR, "nav.sections")
        self.assertLessEqual(d.execute_script("return arguments[0].getBoundingClientRect().top", index), 1)
        g.screenshot(d, "record-page-customer")

    def test_change_a_field_in_place(self):
        d = self.driver
        page = self.customer_with_contacts()
        # A marker that a reload would wipe: the save must happen in place.
        d.execute_script("window.stillHere = true")
        row = d.find_element(By.XPATH, "//section[@id='details']//tr[th='行业']")
        row.find_element(By.CSS_SELECTOR, "details.inline-edit > summary").click()
        field = row.find_element(By.NAME, "industry")
        self.assertEqual(d.switch_to.active_element, field)
        field.clear()
        field.send_keys("智能制造")
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda _: "智能制造" in d.find_element(By.XPATH, "//section[@id='details']//tr[th='行业']/td").text)
        self.assertTrue(d.execute_script("return window.stillHere === true"))
        # The timeline was drawn anew and tells the change.
        self.assertIn("智能制造", d.find_element(By.ID, "timeline").text)
        # A second change works from the redrawn form (its version is the new one).
        row = d.find_element(By.XPATH, "//section[@id='details']//tr[th='生命周期']")
        row.find_element(By.CSS_SELECTOR, "details.inline-edit > summary").click()
        stage = Select(row.find_element(By.NAME, "lifecycle_stage"))
        other = next(o for o in stage.options if o.get_attribute("value") and not o.is_selected())
        label = other.text
        stage.select_by_value(other.get_attribute("value"))
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda _: label in d.find_element(By.CSS_SELECTOR, ".record-head dl.facts").text)
        # A wrong value is refused where it was typed, with the reason.
        row = d.find_element(By.XPATH, "//section[@id='details']//tr[th='电子邮箱']")
        row.find_element(By.CSS_SELECTOR, "details.inline-edit > summary").click()
        email = row.find_element(By.NAME, "email")
        d.execute_script("arguments[0].type = 'text'", email)
        email.clear()
        email.send_keys("not-mail")
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda _: row.find_element(By.CSS_SELECTOR, ".error").text != "")
        self.assertIn("电子邮箱", row.find_element(By.CSS_SELECTOR, ".error").text)
        d.get(page)
        self.assertNotIn("not-mail", d.find_element(By.ID, "details").text)
        self.assertTrue(d.execute_script("return window.stillHere !== true"))
        g.screenshot(d, "record-page-after-edit")


if __name__ == "__main__":
    unittest.main()
