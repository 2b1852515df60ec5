"""The main pages can be used with a screen reader and read by people with weak sight:
every field has a name, every picture a text, and text stands out from its background
(WCAG 2 contrast: 4.5 to 1, or 3 to 1 for large text)."""
import unittest

import guanxi_browser as g

PAGES = ["/", "/customers", "/contacts", "/leads", "/opportunities", "/opportunities/board", "/customers/new", "/leads/new",
         "/opportunities/new", "/activities/new?kind=meeting", "/calendar", "/tasks", "/analytics", "/imports", "/profile", "/admin/users"]

CHECK = """
const problems = [];
const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== "hidden"; };
for (const field of document.querySelectorAll("input, select, textarea")) {
  if (["hidden", "submit", "button"].includes(field.type) || !visible(field)) continue;
  const named = field.closest("label") || field.getAttribute("aria-label") || field.getAttribute("aria-labelledby")
    || (field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`)) || field.getAttribute("title");
  if (!named) problems.push("no label: " + (field.name || field.outerHTML.slice(0, 80)));
}
for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push("no alt: " + img.src);
for (const svg of document.querySelectorAll("svg[role=img]")) if (!svg.querySelector("title")) problems.push("chart without title");
const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
const luminance = ([r, g, b]) => { const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3); } return [255, 255, 255]; };
const seen = new Set();
for (const el of document.querySelectorAll("main a, main p, main td, main th, main label, main button, main h1, main h2, main h3, main li, main span, header a, header button")) {
  if (!visible(el) || !el.textContent.trim()) continue;
  const style = getComputedStyle(el);
  const fg = rgb(style.color).slice(0, 3), bg = background(el);
  const key = fg.join() + "/" + bg.join() + "/" + style.fontSize + style.fontWeight;
  if (seen.has(key)) continue;
  seen.add(key);
  const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  const ratio = (a + 0.05) / (b + 0.05);
  const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
  const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: "${el.textContent.trim().slice(0, 30)}" (${style.color} on rgb(${bg.join()}))`);
}
return problems;
"""


class Accessibility(unittest.TestCase):
    def test_main_pages(self):
        driver = g.browser()
        try:
            g.sign_in(driver, "admin")
            found = {}
            for path in PAGES:
                driver.get(g.URL + path)
                problems = driver.execute_script(CHECK)
                if problems:
                    found[path] = problems
            self.assertEqual(found, {}, "accessibility problems by page")
        finally:
            driver.quit()


if __name__ == "__main__":
    unittest.main()
