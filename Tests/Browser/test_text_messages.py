"""Text messages as an administrator and a marketer meet them: the gateway set up and
tested from its page, an SMS template written and previewed, a list texted, and a
customer's reply through the provider's hook filed and opting out."""
import json
import re
import time
import unittest
import urllib.parse
import urllib.request

import guanxi_browser as g
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait


class TextMessages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.driver = g.browser()
        g.sign_in(cls.driver, "admin")

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def submit(self, form):
        """Submits and waits for the next page: a click returns before it has loaded. The
        form is gone once the page is replaced; Chromium says so with a stale reference or
        with "node does not belong to the document", which `staleness_of` does not catch."""
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

        def gone(_):
            try:
                form.is_enabled()
                return False
            except WebDriverException:
                return True

        WebDriverWait(self.driver, 10).until(gone)

    def test_gateway_template_merge_and_reply(self):
        d = self.driver
        # The gateway: a wrong address is refused with the reason, the typed values kept.
        d.get(g.URL + "/admin/sms")
        form = d.find_element(By.CSS_SELECTOR, "form[action='/admin/sms'].stacked")
        url = form.find_element(By.NAME, "url")
        url.clear()
        url.send_keys("sms.example.cn/send")
        self.submit(form)
        self.assertIn("http://", d.find_element(By.CSS_SELECTOR, ".error").text)
        self.assertEqual(d.find_element(By.NAME, "url").get_attribute("value"), "sms.example.cn/send")
        Select(d.find_element(By.NAME, "kind")).select_by_value("test")
        self.submit(d.find_element(By.CSS_SELECTOR, "form[action='/admin/sms'].stacked"))
        self.assertIn("notice=saved", d.current_url)
        hook = d.find_element(By.CSS_SELECTOR, "code.reply-url").text
        self.assertRegex(hook, r"/sms/replies/[A-Za-z0-9_-]{40,}$")
        # A test text shows the gateway's answer at once.
        test = d.find_element(By.CSS_SELECTOR, "form[action='/admin/sms/test']")
        test.find_element(By.NAME, "to").send_keys("138 0013 8000")
        self.submit(test)
        self.assertIn("test gateway", d.find_element(By.CSS_SELECTOR, ".test-result").text)

        # An SMS template: its length counted in the preview.
        d.get(g.URL + "/templates/new?channel=sms")
        d.find_element(By.NAME, "name").send_keys("周末特惠")
        d.find_element(By.NAME, "body").send_keys("{{recipient.name}}您好，本周末全场八折。")
        self.submit(d.find_element(By.CSS_SELECTOR, "form.template-editor, form[action='/templates']"))
        self.assertIn("notice=saved", d.current_url)
        preview = d.find_element(By.CSS_SELECTOR, "pre.message-preview").text
        # As the phone shows it: the signature-less test gateway, the opt-out line of marketing.
        self.assertTrue(preview.endswith("您好，本周末全场八折。 回T退订"), preview)
        self.assertNotIn("{{", preview)

        # The customer list texted: the merge lists the SMS template and runs in the background.
        d.get(g.URL + "/customers?q=%E7%A7%91%E6%8A%80")
        d.get(d.find_element(By.CSS_SELECTOR, "a[href^='/mail-merges/new']").get_attribute("href"))
        options = [o.text for o in d.find_elements(By.CSS_SELECTOR, "select[name=template_id] option")]
        sms = next(o for o in options if o.startswith("周末特惠"))
        self.assertIn("短信", sms, "the option names its channel")
        Select(d.find_element(By.NAME, "template_id")).select_by_visible_text(sms)
        self.submit(d.find_element(By.CSS_SELECTOR, "form[action='/mail-merges']"))
        merge_url = d.current_url
        for _ in range(60):
            d.get(merge_url)
            if d.find_elements(By.CSS_SELECTOR, "[data-merge-status=done]"):
                break
            time.sleep(0.5)
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "[data-merge-status=done]"), "the merge did not finish")
        # Each recipient's text goes to a mobile number, not an e-mail address.
        addresses = [row.find_elements(By.TAG_NAME, "td")[1].text for row in d.find_elements(By.CSS_SELECTOR, "tr[data-status]")]
        self.assertTrue(addresses)
        self.assertTrue(all(re.fullmatch(r"\+\d{8,15}|", a) for a in addresses), addresses)

        # A customer answers "TD" through the provider's hook: filed and opted out.
        d.get(g.URL + "/customers?q=%E7%A7%91%E6%8A%80")
        d.get(d.find_element(By.CSS_SELECTOR, "table.records tbody a[href^='/customers/']").get_attribute("href"))
        phone = next((a.text for a in d.find_elements(By.CSS_SELECTOR, "a[href^='tel:']")), None)
        self.assertIsNotNone(phone, "the demo customer has a phone")
        request = urllib.request.Request(g.URL + urllib.parse.urlsplit(hook).path, method="POST",
                                         data=urllib.parse.urlencode({"mobile": phone, "content": "TD"}).encode())
        with urllib.request.urlopen(request) as response:
            self.assertEqual(json.load(response)["outcome"], "opted_out")
        d.get(g.URL + "/admin/sms/replies")
        row = d.find_element(By.CSS_SELECTOR, "tr[data-outcome=opted_out]")
        self.assertIn("TD", row.text)
        self.assertTrue(row.find_elements(By.CSS_SELECTOR, "a[href^='/customers/'], a[href^='/contacts/']"))
        self.assertEqual(g.script_errors(d), [])


if __name__ == "__main__":
    unittest.main()
