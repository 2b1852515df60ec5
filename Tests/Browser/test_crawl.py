"""Every internal link three levels deep, as an administrator and as a sales rep: no
page answers 404 or 500, and no page shows a raw id where a name belongs."""
import collections
import html
import re
import unittest
from urllib.parse import urlsplit

import guanxi_browser as g

# Actions behind links that change nothing but leave the page (downloads, sign-out).
SKIP = ("/logout", "/api/v1/", "/app.", "/favicon")
# A list's sort, filter and page links multiply one route; a few of each show the route works.
PER_PATH = 6


def crawl(cookie, depth_limit=3):
    seen, bad, shown_ids = set(), [], collections.defaultdict(list)
    per_path = collections.Counter()
    queue = collections.deque([("/", 0, "start")])
    while queue:
        path, depth, came_from = queue.popleft()
        if path in seen:
            continue
        bare = urlsplit(path).path
        if per_path[bare] >= PER_PATH:
            continue
        seen.add(path)
        per_path[bare] += 1
        status, kind, body = g.fetch(path, cookie)
        if status >= 400:
            bad.append((status, path, came_from))
            continue
        if "text/html" not in kind:
            continue
        for match in g.UUID.finditer(g.visible_text(body)):
            shown_ids[re.sub(g.UUID.pattern, "{id}", bare)].append(match.group(0))
        if depth >= depth_limit:
            continue
        for href in re.findall(r'href="([^"#]*)"', body):
            href = html.unescape(href)
            if href.startswith("/") and not href.startswith("//") and not href.startswith(SKIP):
                queue.append((href, depth + 1, path))
    return seen, bad, shown_ids


class Crawl(unittest.TestCase):
    def check(self, username):
        driver = g.browser()
        try:
            g.sign_in(driver, username)
            cookie = g.session_cookie(driver)
        finally:
            driver.quit()
        seen, bad, shown_ids = crawl(cookie)
        print(f"\n{username}: {len(seen)} pages")
        if len(seen) <= 100:
            print(sorted(seen))
        self.assertGreater(len(seen), 100)
        self.assertEqual(bad, [], f"{username} met broken links (status, page, linked from)")
        self.assertEqual(dict(shown_ids), {}, f"{username} saw raw ids (route: ids)")

    def test_administrator(self):
        self.check("admin")

    def test_sales_rep(self):
        self.check("wang.lei")


if __name__ == "__main__":
    unittest.main()
