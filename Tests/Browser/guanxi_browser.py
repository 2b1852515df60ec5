"""What the browser tests share: the running Guanxi, headless Chromium, signing in."""
import html
import os
import re
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["GUANXI_URL"]
ADMIN_PASSWORD = os.environ.get("GUANXI_ADMIN_PASSWORD", "Browser-admin-2026")
SCREENSHOTS = os.environ.get("GUANXI_SCREENSHOTS", "")
UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
NEW_PASSWORD = "Browser-tests-2026"


def demo_passwords():
    """The demo users' one-time passwords, as `guanxi demo` printed them."""
    out = {}
    with open(os.environ["GUANXI_DEMO_PASSWORDS"], encoding="utf-8") as printed:
        for line in printed:
            parts = line.split()
            if len(parts) == 2 and "." in parts[0] and line.startswith("  "):
                out[parts[0]] = parts[1]
    return out


def browser(width=1440, height=900, lang="zh-CN"):
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}",
                     f"--lang={lang}"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(width, height)
    return driver


_changed = {}


def sign_in(driver, username, password=None):
    """Signs in through the form; a one-time password is changed on the way, once per
    user for the whole run."""
    password = _changed.get(username) or password or (ADMIN_PASSWORD if username == "admin" else demo_passwords()[username])
    driver.get(URL + "/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: urllib.parse.urlsplit(d.current_url).path != "/login")
    if driver.find_elements(By.NAME, "new_password"):
        driver.find_element(By.NAME, "current_password").send_keys(password)
        driver.find_element(By.NAME, "new_password").send_keys(NEW_PASSWORD)
        driver.find_element(By.NAME, "confirm_password").send_keys(NEW_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form[action='/password'] button[type=submit]").click()
        # The password page has the sign-out form too: wait for the change to land.
        WebDriverWait(driver, 10).until(lambda d: "notice=password_changed" in d.current_url)
        _changed[username] = NEW_PASSWORD
    assert driver.find_elements(By.CSS_SELECTOR, "form[action='/logout']"), f"{username} is not signed in: {driver.current_url}"


def script_errors(driver):
    """Errors the page's scripts raised (an answer's status, logged by the browser too, is
    the server's business and is checked where it matters)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]


def session_cookie(driver):
    return "guanxi_session=" + driver.get_cookie("guanxi_session")["value"]


def fetch(path, cookie):
    """GET through plain HTTP with the browser's session: (status, content type, body).
    A page that sends the reader to sign in again answers 401 here."""
    request = urllib.request.Request(URL + path, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request) as response:
            if urllib.parse.urlsplit(response.geturl()).path == "/login" and not path.startswith("/login"):
                return 401, "", ""
            return response.status, response.headers.get("content-type", ""), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, "", ""


def visible_text(page):
    """What a reader sees of a page's main part: no tags, attributes, scripts or styles."""
    main = page.split("<main>", 1)[-1]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def screenshot(driver, name):
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        driver.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))
