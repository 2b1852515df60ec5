"""A tour of the main pages for looking at them: full-page screenshots of each, as a
sales rep in Chinese and as the administrator in English, on a desktop (1440 px) and a
phone (390 px). Not a test — run through the browser-test script, which starts Guanxi
on the demo data:

    GUANXI_TOUR=/tmp/screens scripts/browser-tests.sh [BINARY]

Files are named <who>-<language>-<width>-<page>.png."""
import os
import re
import sys
import time

import guanxi_browser as g
from selenium.webdriver.common.by import By

# Pages by name; "first:<list>" opens the first record that list links to.
PAGES = [
    ("home", "/"),
    ("customers", "/customers"),
    ("customer", "first:/customers"),
    ("contacts", "/contacts"),
    ("contact", "first:/contacts"),
    ("leads", "/leads"),
    ("deals", "/opportunities"),
    ("deal", "first:/opportunities"),
    ("board", "/opportunities/board"),
    ("new-deal", "/opportunities/new"),
    ("log-call", "/activities/new?kind=call&log=1"),
    ("tasks", "/tasks"),
    ("calendar-week", "/calendar?view=week"),
    ("analytics", "/analytics"),
    ("imports", "/imports"),
]
ADMIN_PAGES = [("status", "/admin/status"), ("users", "/admin/users"), ("audit", "/admin/audit"), ("api", "/api/docs")]


def first_record(driver, list_path):
    driver.get(g.URL + list_path)
    pattern = re.compile(re.escape(list_path) + "/" + g.UUID.pattern + "$")
    for link in driver.find_elements(By.CSS_SELECTOR, "main a[href]"):
        href = link.get_attribute("href").replace(g.URL, "")
        if pattern.match(href):
            return href
    return None


def switch_language(driver, wanted):
    """Presses the layout's language switch when the page is not in `wanted` yet."""
    driver.get(g.URL + "/")
    if driver.find_element(By.TAG_NAME, "html").get_attribute("lang").startswith(wanted):
        return
    driver.find_element(By.CSS_SELECTOR, "form[action='/language'] button").click()


def shoot(driver, out, name, width):
    """The whole page: the window grows to the page's height (at most 6,000 px)."""
    time.sleep(0.5)  # cards and charts that draw after the load event
    height = min(driver.execute_script(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight, document.body.offsetHeight)"), 6000)
    driver.set_window_size(width, max(height, 900))
    driver.save_screenshot(os.path.join(out, name + ".png"))


def tour(out, username, language, width, pages):
    driver = g.browser(width=width, height=900)
    try:
        g.sign_in(driver, username)
        switch_language(driver, language)
        for name, path in pages:
            if path.startswith("first:"):
                path = first_record(driver, path[len("first:"):])
                if path is None:
                    continue
            driver.set_window_size(width, 900)
            driver.get(g.URL + path)
            shoot(driver, out, f"{username}-{language}-{width}-{name}", width)
    finally:
        driver.quit()


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for width in (1440, 390):
        tour(out, "wang.lei", "zh", width, PAGES)
        tour(out, "admin", "en", width, PAGES + ADMIN_PAGES)
    print(f"screenshots in {out}")
