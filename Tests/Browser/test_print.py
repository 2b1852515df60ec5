"""Letters, labels and envelopes as the browser lays them out for the printer: sheets and
labels the size of the paper, no menu, the print button outside what prints."""
import unittest

import guanxi_browser as g
from selenium.webdriver.common.by import By

MM = 96 / 25.4  # CSS pixels per millimetre


class Printing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.driver = g.browser()
        g.sign_in(cls.driver, "admin")

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def test_labels_fit_an_a4_sheet(self):
        d = self.driver
        d.get(g.URL + "/print?kind=customers&layout=labels-3x7")
        sheet = d.find_element(By.CSS_SELECTOR, "section.sheet")
        self.assertAlmostEqual(sheet.size["width"], 210 * MM, delta=2)
        self.assertAlmostEqual(sheet.size["height"], 297 * MM, delta=2)
        labels = sheet.find_elements(By.CSS_SELECTOR, "div.label")
        self.assertEqual(len(labels), 21, "a full first sheet of the demo's customers")
        self.assertAlmostEqual(labels[0].size["width"], 63.5 * MM, delta=1.5)
        self.assertAlmostEqual(labels[0].size["height"], 38.1 * MM, delta=1.5)
        # Three to a row, seven rows.
        self.assertEqual(len({label.location["y"] for label in labels}), 7)
        self.assertEqual(labels[0].location["y"], labels[2].location["y"])
        self.assertEqual(d.find_elements(By.CSS_SELECTOR, "nav.nav"), [])
        self.assertEqual(d.execute_script("return document.documentElement.lang"), "zh-Hans")

    def test_envelopes_are_dl_with_the_addressee_in_the_middle(self):
        d = self.driver
        # Three contacts from the list (a print run takes at most 2,000 records).
        d.get(g.URL + "/contacts")
        ids = [box.get_attribute("value") for box in d.find_elements(By.CSS_SELECTOR, "input[name=ids]")][:3]
        self.assertEqual(len(ids), 3)
        d.get(g.URL + "/print?kind=contacts&layout=envelope-dl&sender=%E5%85%B3%E7%B3%BB%E7%A7%91%E6%8A%80" + "".join("&ids=" + i for i in ids))
        envelope = d.find_element(By.CSS_SELECTOR, "section.envelope")
        self.assertAlmostEqual(envelope.size["width"], 220 * MM, delta=2)
        self.assertAlmostEqual(envelope.size["height"], 110 * MM, delta=2)
        addressee = envelope.find_element(By.CSS_SELECTOR, ".addressee")
        self.assertTrue(addressee.text.endswith("收"))
        middle = addressee.location["y"] - envelope.location["y"]
        self.assertTrue(0.4 * envelope.size["height"] < middle < 0.7 * envelope.size["height"], middle)
        self.assertEqual(envelope.find_element(By.CSS_SELECTOR, ".from").text, "关系科技")
        # The print button works the print dialogue, and is not part of the printout.
        self.assertTrue(d.find_element(By.CSS_SELECTOR, "button.print-now").is_displayed())
        d.execute_script("window.print = () => { document.body.dataset.printed = 'yes'; }")
        d.find_element(By.CSS_SELECTOR, "button.print-now").click()
        self.assertEqual(d.execute_script("return document.body.dataset.printed"), "yes")


if __name__ == "__main__":
    unittest.main()
