"""The issue's daily workflows end to end in the browser: log a call with a commitment,
plan a meeting that clashes, convert a lead, import a file with Chinese headers and revert
it, export a list."""
import os
import re
import tempfile
import time
import unittest
import urllib.request

import guanxi_browser as g
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait


class DailyWork(unittest.TestCase):
    def setUp(self):
        self.driver = g.browser()
        g.sign_in(self.driver, "zhao.yang")

    def tearDown(self):
        self.assertEqual(g.script_errors(self.driver), [])
        self.driver.quit()

    def wait(self, condition, seconds=15):
        return WebDriverWait(self.driver, seconds).until(condition)

    def first_record(self, kind):
        self.driver.get(g.URL + "/" + kind)
        link = next(a for a in self.driver.find_elements(By.CSS_SELECTOR, f"main td a[href^='/{kind}/']")
                    if re.search(g.UUID.pattern + "$", a.get_attribute("href")))
        return link.get_attribute("href").replace(g.URL, "")

    def test_plan_calls_from_analytics(self):
        """From insight to action: a segment of the analytics becomes a batch of calls on the task list."""
        d = self.driver
        d.get(g.URL + "/analytics")
        form = d.find_element(By.CSS_SELECTOR, "form[action='/analytics/plan']")
        segment = Select(form.find_element(By.NAME, "segment"))
        # The first segment that holds customers of this rep (its bar links to its list).
        choices = [o.get_attribute("value") for o in segment.options if o.get_attribute("value")]
        self.assertTrue(choices)
        subject = "回访：分析建议 " + time.strftime("%H%M%S")
        for value in choices:
            d.get(g.URL + "/analytics")
            form = d.find_element(By.CSS_SELECTOR, "form[action='/analytics/plan']")
            Select(form.find_element(By.NAME, "segment")).select_by_value(value)
            Select(form.find_element(By.NAME, "kind")).select_by_value("call")
            form.find_element(By.NAME, "subject").send_keys(subject)
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait(ready.url_contains("planned="))
            planned = int(re.search(r"planned=(\d+)", d.current_url).group(1))
            if planned:
                break
        self.assertGreater(planned, 0, "no segment held a customer to call")
        self.assertIn("已安排", d.find_element(By.CSS_SELECTOR, ".notice").text)
        d.get(g.URL + "/tasks")
        rows = [r for r in d.find_elements(By.CSS_SELECTOR, "main tr") if subject in r.text]
        self.assertEqual(len(rows), planned)

    def test_log_a_call_with_a_commitment(self):
        d = self.driver
        customer = self.first_record("customers")
        d.get(g.URL + customer)
        d.find_element(By.CSS_SELECTOR, "a[href*='kind=call&log=1']").click()
        d.find_element(By.NAME, "subject").send_keys("回访：报价进展")
        d.find_element(By.NAME, "outcome").send_keys("客户确认预算")
        d.find_element(By.NAME, "commitment_0_text").send_keys("周五前发送修订报价")
        d.find_element(By.CSS_SELECTOR, "form[action='/activities/new'] button[type=submit]").click()
        self.wait(ready.url_contains("notice=saved"))
        timeline = d.find_element(By.CSS_SELECTOR, "ol.timeline").text
        self.assertIn("回访：报价进展", timeline)
        self.assertIn("周五前发送修订报价", timeline)
        self.assertIn("已完成", timeline)

    def test_a_clashing_meeting_is_saved_only_when_asked(self):
        d = self.driver
        # Far beyond the demo's own meetings (which lie within weeks of today and would
        # clash with the first one on some days).
        day = time.strftime("%Y-%m-%d", time.localtime(time.time() + 1000 * 86400))
        for subject, start, end in (("部门例会", "10:00", "11:00"), ("客户来访", "10:30", "11:30")):
            d.get(g.URL + "/activities/new?kind=meeting")
            d.find_element(By.NAME, "subject").send_keys(subject)
            for name, value in (("starts_at", f"{day}T{start}"), ("ends_at", f"{day}T{end}")):
                field = d.find_element(By.NAME, name)
                d.execute_script("arguments[0].value = arguments[1]", field, value)
            d.find_element(By.CSS_SELECTOR, "form[action='/activities/new'] button[type=submit]").click()
            self.wait(lambda _: "notice=saved" in d.current_url or d.find_elements(By.CSS_SELECTOR, "ul.clashes"))
            if subject == "部门例会":
                self.assertIn("notice=saved", d.current_url, "the first meeting clashes with nothing")
        self.assertIn("部门例会", d.find_element(By.CSS_SELECTOR, "ul.clashes").text)
        d.find_element(By.NAME, "allow_conflicts").click()
        d.find_element(By.CSS_SELECTOR, "form[action='/activities/new'] button[type=submit]").click()
        self.wait(ready.url_contains("notice=saved"))
        d.get(g.URL + f"/calendar?view=day&date={day}")
        grid = d.find_element(By.CSS_SELECTOR, "svg.time-grid")
        self.assertEqual(len(grid.find_elements(By.CSS_SELECTOR, "a")), 2)
        g.screenshot(d, "calendar-clash")

    def test_convert_a_lead(self):
        d = self.driver
        d.get(g.URL + "/leads/new")
        d.find_element(By.NAME, "name").send_keys("孙经理")
        d.find_element(By.NAME, "company").send_keys("浏览器转化测试有限公司")
        d.find_element(By.CSS_SELECTOR, "form[action='/leads/new'] button[type=submit]").click()
        self.wait(ready.url_matches(g.UUID.pattern))
        d.find_element(By.CSS_SELECTOR, "a[href$='/convert']").click()
        d.find_element(By.NAME, "create_opportunity").click()
        d.find_element(By.NAME, "amount").send_keys("50000")
        d.find_element(By.CSS_SELECTOR, "form[action$='/convert'] button[type=submit]").click()
        # Wait for the customer page itself: the convert form links customers too.
        self.wait(ready.url_contains("notice=converted"))
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "main a[href^='/opportunities/']"), "the new deal is linked")

    def test_import_with_chinese_headers_then_revert_and_export(self):
        self.driver.quit()
        self.driver = d = g.browser()
        g.sign_in(d, "admin")
        path = os.path.join(tempfile.mkdtemp(), "名片.csv")
        with open(path, "w", encoding="utf-8-sig") as out:
            out.write("公司名称,电话,电子邮箱,城市\n浏览器导入甲公司,021-5555 0101,a@import-jia.cn,上海\n浏览器导入乙公司,010-5555 0102,b@import-yi.cn,北京\n")
        d.get(g.URL + "/imports")
        Select(d.find_element(By.NAME, "kind")).select_by_value("customers")
        d.find_element(By.NAME, "file").send_keys(path)
        d.find_element(By.CSS_SELECTOR, "form[action='/imports'] button[type=submit]").click()
        self.wait(ready.presence_of_element_located((By.CSS_SELECTOR, "form[action$='/start']")))
        page = d.find_element(By.TAG_NAME, "main").text
        self.assertIn("浏览器导入甲公司", page)           # the preview reads the Chinese headers
        d.find_element(By.CSS_SELECTOR, "form[action$='/start'] button").click()
        self.wait(lambda _: d.find_elements(By.CSS_SELECTOR, ".import-status[data-status=done]") or (d.refresh() and False), 30)
        job = d.current_url.split("?")[0]
        d.get(g.URL + "/customers?q=%E6%B5%8F%E8%A7%88%E5%99%A8%E5%AF%BC%E5%85%A5")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "main tbody td a[href^='/customers/']")), 2)
        # Export what the list shows, through the browser's session.
        export = d.find_element(By.CSS_SELECTOR, "a[href^='/customers/export']").get_attribute("href")
        request = urllib.request.Request(export, headers={"Cookie": g.session_cookie(d)})
        csv = urllib.request.urlopen(request).read().decode("utf-8-sig")
        self.assertIn("浏览器导入甲公司", csv)
        d.get(job)
        d.find_element(By.CSS_SELECTOR, "form[action$='/revert'] button").click()
        alert = self.wait(ready.alert_is_present())
        self.assertEqual(alert.text, "撤销此次导入？")          # asked first, in Chinese punctuation
        alert.accept()
        self.wait(lambda _: d.find_elements(By.CSS_SELECTOR, ".import-status[data-status=reverted]") or (d.refresh() and False), 30)
        d.get(g.URL + "/customers?q=%E6%B5%8F%E8%A7%88%E5%99%A8%E5%AF%BC%E5%85%A5")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "main tbody td a[href^='/customers/']")), 0)


if __name__ == "__main__":
    unittest.main()
