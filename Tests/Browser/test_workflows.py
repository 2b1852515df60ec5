"""Daily work, end to end in the browser, with the page's own scripts running."""
import unittest

import guanxi_browser as g
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait


class Workflows(unittest.TestCase):
    def setUp(self):
        self.driver = g.browser()

    def tearDown(self):
        self.assertEqual(g.script_errors(self.driver), [])
        self.driver.quit()

    def wait(self, condition, seconds=10):
        return WebDriverWait(self.driver, seconds).until(condition)

    def submit(self, form_selector):
        self.driver.find_element(By.CSS_SELECTOR, form_selector + " button[type=submit]").click()

    def test_customer_with_contact_then_a_deal_picked_by_typing(self):
        d = self.driver
        g.sign_in(d, "wang.lei")
        d.get(g.URL + "/customers/new")
        d.find_element(By.NAME, "name").send_keys("浏览器测试科技有限公司")
        d.find_element(By.NAME, "phone").send_keys("021-6543 2100")
        self.submit("form[action='/customers/new']")
        self.wait(ready.url_matches(g.UUID.pattern + r"\?notice=saved$"))
        customer = d.current_url.split("?")[0].replace(g.URL, "")
        d.get(g.URL + customer + "/contacts/new")
        d.find_element(By.NAME, "name").send_keys("周测试")
        self.submit("form[action$='/contacts/new']")
        self.wait(ready.url_contains("notice=saved"))
        d.get(g.URL + customer)
        self.assertIn("周测试", d.find_element(By.TAG_NAME, "main").text)

        # The picker finds the new company among hundreds by a piece of its name.
        d.get(g.URL + "/opportunities/new")
        box = d.find_element(By.CSS_SELECTOR, "input.pick-search")
        self.assertEqual(box.get_attribute("placeholder"), "输入名称、电话或邮箱搜索…")
        box.send_keys("浏览器测试")
        select = d.find_element(By.CSS_SELECTOR, "select[name=customer_id]")
        self.wait(lambda _: select.get_attribute("value") == customer.rsplit("/", 1)[1])
        # The contact picker starts over with the chosen company's people.
        contact = d.find_element(By.CSS_SELECTOR, "select[name=contact_id][data-pick=contacts]")
        offered = lambda: [o.text for o in contact.find_elements(By.TAG_NAME, "option")]
        self.wait(lambda _: len(offered()) == 2 and offered()[1].startswith("周测试"))
        contact_box = d.find_elements(By.CSS_SELECTOR, "input.pick-search")[1]
        contact_box.send_keys("周")
        self.wait(lambda _: contact.get_attribute("value") != "")
        d.find_element(By.NAME, "name").send_keys("测试商机")
        d.find_element(By.NAME, "amount").send_keys("88000")
        self.submit("form[action='/opportunities/new']")
        self.wait(ready.url_contains("notice=saved"))
        main = d.find_element(By.TAG_NAME, "main")
        self.assertIn("测试商机", main.text)
        self.assertTrue(main.find_elements(By.CSS_SELECTOR, f"a[href='{customer}']"), "the deal links to its customer")
        self.assertIn("周测试", main.text)
        g.screenshot(d, "deal-picked")

    def test_activity_form_shows_what_the_kind_needs(self):
        d = self.driver
        g.sign_in(d, "wang.lei")
        g.screenshot(d, "home-rep")
        d.get(g.URL + "/calendar?view=week")
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "svg.time-grid"))
        g.screenshot(d, "calendar-week")
        d.get(g.URL + "/activities/new?kind=task")
        shown = lambda name: d.find_element(By.NAME, name).is_displayed()
        self.assertTrue(shown("due_at"))
        self.assertFalse(shown("ends_at"))
        self.assertFalse(shown("call_back_at"))
        from selenium.webdriver.support.ui import Select
        Select(d.find_element(By.NAME, "kind")).select_by_value("meeting")
        self.assertTrue(shown("ends_at"))
        self.assertFalse(shown("due_at"))
        self.assertTrue(shown("commitment_0_text"))

    def test_meeting_takes_several_participants_picked_by_typing(self):
        d = self.driver
        g.sign_in(d, "wang.lei")
        d.get(g.URL + "/customers/new")
        d.find_element(By.NAME, "name").send_keys("参会测试物流有限公司")
        self.submit("form[action='/customers/new']")
        self.wait(ready.url_matches(g.UUID.pattern + r"\?notice=saved$"))
        customer = d.current_url.split("?")[0].replace(g.URL, "")
        for name in ("孙参会", "钱参会", "Mia Attendee"):
            d.get(g.URL + customer + "/contacts/new")
            d.find_element(By.NAME, "name").send_keys(name)
            self.submit("form[action$='/contacts/new']")
            self.wait(ready.url_contains("notice=saved"))

        d.get(g.URL + "/activities/new?kind=meeting&about=customers:" + customer.rsplit("/", 1)[1])
        contact = d.find_element(By.CSS_SELECTOR, "select[name=contact][data-pick-into]")
        box = contact.find_element(By.XPATH, "preceding-sibling::input[@type='search']")
        chosen = lambda: [label.text.strip() for label in d.find_elements(By.CSS_SELECTOR, "#participants-chosen label")]
        # Enter adds the first match; the Add button adds what the picker shows.
        box.send_keys("钱参")
        self.wait(lambda _: contact.find_element(By.CSS_SELECTOR, "option:checked").text.startswith("钱参会"))
        box.send_keys(Keys.ENTER)
        self.wait(lambda _: chosen() == ["钱参会"])
        self.assertEqual(box.get_attribute("value"), "", "the picker is free for the next one")
        box.send_keys("attendee")
        self.wait(lambda _: contact.find_element(By.CSS_SELECTOR, "option:checked").text.startswith("Mia Attendee"))
        contact.find_element(By.XPATH, "following-sibling::button[contains(@class, 'pick-add')]").click()
        self.wait(lambda _: chosen() == ["钱参会", "Mia Attendee"])
        g.screenshot(d, "meeting-participants")

        d.find_element(By.NAME, "subject").send_keys("三方参会测试")
        for name, value in (("starts_at", "2027-03-15T10:00"), ("ends_at", "2027-03-15T11:00")):
            d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.NAME, name), value)
        self.submit("form[action='/activities/new']")
        self.wait(ready.url_contains("notice=saved"))
        d.find_element(By.LINK_TEXT, "三方参会测试").click()
        main = self.wait(lambda _: d.find_element(By.TAG_NAME, "main"))
        self.wait(lambda _: "钱参会" in main.text)
        self.assertIn("Mia Attendee", main.text)
        self.assertNotIn("孙参会", main.text)

    def test_owner_picked_by_typing_keeps_the_routing_choice(self):
        d = self.driver
        g.sign_in(d, "admin")
        d.get(g.URL + "/leads/new")
        select = d.find_element(By.CSS_SELECTOR, "select[name=owner_id][data-pick=users]")
        box = d.find_element(By.CSS_SELECTOR, "input.pick-search")
        box.send_keys("Emma")
        # The first colleague found is chosen; the search offers only what matches.
        self.wait(lambda _: select.find_element(By.CSS_SELECTOR, "option:checked").text.startswith("Emma Smith"))
        values = [o.get_attribute("value") for o in select.find_elements(By.TAG_NAME, "option")]
        self.assertIn("rules", values, "the routing rules stay a choice")
        self.assertIn("", values, "the shared pool stays a choice")
        self.assertFalse([o for o in select.find_elements(By.TAG_NAME, "option") if "赵洋" in o.text])

    def test_menu_groups_and_shortcuts(self):
        d = self.driver
        g.sign_in(d, "admin")
        d.get(g.URL + "/")
        g.screenshot(d, "home-admin")
        d.get(g.URL + "/analytics")
        chart = d.find_element(By.CSS_SELECTOR, "svg.line-chart")
        d.execute_script("arguments[0].scrollIntoView()", chart)
        g.screenshot(d, "analytics-sales")
        self.assertTrue(chart.find_elements(By.CSS_SELECTOR, "polyline.forecast"))
        d.get(g.URL + "/customers")
        groups = d.find_elements(By.CSS_SELECTOR, "nav .menu-group:not(.quick-create)")
        self.assertGreaterEqual(len(groups), 4)
        groups[0].find_element(By.TAG_NAME, "summary").click()
        groups[1].find_element(By.TAG_NAME, "summary").click()
        # The other heading closes on the "toggle" event, which the browser fires after the click.
        WebDriverWait(d, 5).until(lambda _: not groups[0].get_attribute("open"), "one heading open at a time")
        self.assertTrue(groups[1].find_element(By.CSS_SELECTOR, ".menu-panel a").is_displayed())
        g.screenshot(d, "menu-open")
        d.find_element(By.TAG_NAME, "h1").click()
        self.assertFalse(groups[1].get_attribute("open"), "a click elsewhere closes it")
        body = d.find_element(By.TAG_NAME, "body")
        body.send_keys("/")
        self.assertEqual(d.switch_to.active_element.get_attribute("name"), "q")
        d.switch_to.active_element.send_keys(Keys.ESCAPE)
        d.find_element(By.TAG_NAME, "h1").click()
        d.find_element(By.TAG_NAME, "body").send_keys("n")
        create = d.find_element(By.CSS_SELECTOR, ".quick-create")
        self.assertTrue(create.get_attribute("open"))
        self.assertEqual(d.switch_to.active_element.get_attribute("href"), g.URL + "/customers/new")

    def test_language_follows_the_profile_and_the_switch_keeps_the_page(self):
        d = self.driver
        g.sign_in(d, "emma.smith")          # the browser asks for Chinese; her profile says English
        self.assertEqual(d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "en")
        d.get(g.URL + "/customers?sort=updated")
        self.assertIn("Customers", d.title)
        d.find_element(By.CSS_SELECTOR, "form.lang button").click()
        self.wait(ready.title_contains("客户"))
        self.assertTrue(d.current_url.endswith("/customers?sort=updated"))
        g.screenshot(d, "customers-zh")
        d.find_element(By.CSS_SELECTOR, "form.lang button").click()
        self.wait(ready.title_contains("Customers"))


if __name__ == "__main__":
    unittest.main()


class Board(unittest.TestCase):
    """The board moves deals in place; a lost stage asks why."""

    DROP = """
        const [card, column] = arguments;
        const data = new DataTransfer();
        card.dispatchEvent(new DragEvent("dragstart", { bubbles: true, dataTransfer: data }));
        column.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: data }));
        column.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: data }));
    """

    def setUp(self):
        self.driver = g.browser()

    def tearDown(self):
        self.assertEqual(g.script_errors(self.driver), [])
        self.driver.quit()

    def test_move_without_reload_and_lost_reason(self):
        d = self.driver
        g.sign_in(d, "wang.lei")
        d.get(g.URL + "/opportunities/board")
        columns = d.find_elements(By.CSS_SELECTOR, ".board .column")
        source = next(c for c in columns if c.find_elements(By.CSS_SELECTOR, ".deal") and c.get_attribute("data-outcome") == "open")
        target = next(c for c in columns if c != source and c.get_attribute("data-outcome") == "open")
        card = source.find_element(By.CSS_SELECTOR, ".deal")
        deal = card.get_attribute("data-deal")
        stage = target.get_attribute("data-stage")
        before = int(target.get_attribute("data-count"))
        d.execute_script("window.boardMarker = 1")           # gone if the page reloads
        d.execute_script(self.DROP, card, target)
        WebDriverWait(d, 10).until(lambda _: target.find_elements(By.CSS_SELECTOR, f".deal[data-deal='{deal}']"))
        self.assertEqual(d.execute_script("return window.boardMarker"), 1, "the move did not reload the page")
        self.assertEqual(target.find_element(By.CSS_SELECTOR, ".count").text, str(before + 1))
        g.screenshot(d, "board-moved")
        d.refresh()
        column = d.find_element(By.CSS_SELECTOR, f".column[data-stage='{stage}']")
        self.assertTrue(column.find_elements(By.CSS_SELECTOR, f".deal[data-deal='{deal}']"), "the move was saved")

        lost = d.find_element(By.CSS_SELECTOR, ".column[data-outcome=lost]")
        card = column.find_element(By.CSS_SELECTOR, f".deal[data-deal='{deal}']")
        d.execute_script(self.DROP, card, lost)
        dialog = d.find_element(By.ID, "loss-reason")
        WebDriverWait(d, 5).until(lambda _: dialog.is_displayed())
        g.screenshot(d, "board-lost-reason")
        dialog.find_element(By.NAME, "reason").send_keys("价格高于竞争对手")
        dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(d, 10).until(lambda _: lost.find_elements(By.CSS_SELECTOR, f".deal[data-deal='{deal}']"))
        d.get(g.URL + "/opportunities/" + deal)
        self.assertIn("价格高于竞争对手", d.find_element(By.TAG_NAME, "main").text)
