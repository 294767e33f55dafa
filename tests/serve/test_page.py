"""The search page in headless Chromium (Debian's `chromium`), driven over
the DevTools protocol on a pipe: it types a query, checks the results
against the API's, pages, takes "did you mean", and follows a document.

FATHOM_SCREENSHOT=FILE also saves a screenshot of a results page there (the
README's)."""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time

import pytest

from conftest import quote

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """Chromium with --remote-debugging-pipe: commands go to its fd 3 and
    answers come from its fd 4, each a JSON message ended by a NUL byte."""

    def __init__(self, profile):
        assert CHROMIUM, "chromium is not installed (Debian package chromium)"
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Out of the way of 3 and 4, so that the dup2s below cannot collide.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 20) for fd in (to_browser_r, from_browser_w)]
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)

        def pipes_on_3_and_4():
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--remote-debugging-pipe",
             "--window-size=1100,900", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=pipes_on_3_and_4)
        for fd in high:
            os.close(fd)
        self.write_fd, self.read_fd = to_browser_w, from_browser_r
        self.buffer = b""
        self.next_id = 0
        self.session = None
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method, params=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self.buffer:
                left = deadline - time.monotonic()
                assert left > 0, f"no answer from Chromium to {method}"
                ready, _, _ = select.select([self.read_fd], [], [], left)
                if ready:
                    chunk = os.read(self.read_fd, 1 << 16)
                    assert chunk, "Chromium closed its pipe"
                    self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self.next_id:
                assert "error" not in answer, (method, answer["error"])
                return answer["result"]

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        assert "exceptionDetails" not in result, (expression, result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(self, expression, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expression}; page: " +
                             str(self.evaluate("document.body.innerText")))

    def type_text(self, text):
        self.send("Input.insertText", {"text": text})

    def press_enter(self):
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter",
                                                 "windowsVirtualKeyCode": 13, "text": "\r"})

    def click(self, selector):
        """A real mouse click at the middle of the element."""
        box = self.wait_for(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                   "button": "left", "clickCount": 1})

    def close(self):
        self.process.kill()
        self.process.wait()
        os.close(self.write_fd)
        os.close(self.read_fd)


@pytest.fixture()
def browser(tmp_path):
    opened = Browser(tmp_path / "profile")
    yield opened
    opened.close()


HIT_IDS = "[...document.querySelectorAll('#results li.hit .id')].map(e => e.textContent.split(' ·')[0])"


def test_typing_a_query_shows_the_results_and_a_document_follows(index_dir, start_server, browser):
    server = start_server(index_dir)
    browser.send("Page.navigate", {"url": server.base + "/"})
    browser.wait_for("document.readyState === 'complete' && document.activeElement.id === 'q'")
    browser.type_text("river harbor")
    browser.press_enter()
    browser.wait_for("document.querySelectorAll('#results li.hit').length === 10")
    # A search is an address that can be shared.
    assert browser.evaluate("location.search") == "?q=river+harbor"
    _, expected = server.json("GET", "/search?q=river+harbor&k=10")
    assert browser.evaluate(HIT_IDS) == [hit["id"] for hit in expected["hits"]]
    assert browser.evaluate("document.getElementById('status').textContent").startswith(
        f"{expected['matches']:,} matching documents")
    assert browser.evaluate("document.querySelectorAll('#results mark').length") >= 10
    marked = browser.evaluate("[...document.querySelectorAll('#results mark')].map(m => m.textContent.toLowerCase())")
    # Adjacent matches share one highlight.
    assert {word for mark in marked for word in mark.split()} == {"river", "harbor"}

    # The next page: results 11 to 20.
    browser.click("#next")
    browser.wait_for("document.getElementById('results').start === 11 && "
                     "document.querySelectorAll('#results li.hit').length === 10")
    _, second = server.json("GET", "/search?q=river+harbor&k=10&offset=10")
    assert browser.evaluate(HIT_IDS) == [hit["id"] for hit in second["hits"]]

    # Follow the first result to its document.
    first = second["hits"][0]["id"]
    browser.click("#results li.hit a.title")
    browser.wait_for("!document.getElementById('document').hidden")
    _, stored = server.json("GET", "/documents/" + quote(first))
    assert browser.evaluate("document.getElementById('body').textContent") == stored["body"]
    assert "doc=" + quote(first) in browser.evaluate("location.search")
    # And back to the results, with the browser's back button.
    browser.evaluate("history.back()")
    browser.wait_for("document.querySelectorAll('#results li.hit').length === 10")

    if os.environ.get("FATHOM_SCREENSHOT"):
        browser.send("Page.navigate", {"url": server.base + "/?q=" + quote("lantern meadw")})
        browser.wait_for("document.querySelectorAll('#results li.hit').length > 0")
        shot = browser.send("Page.captureScreenshot", {"format": "png"})
        with open(os.environ["FATHOM_SCREENSHOT"], "wb") as out:
            out.write(base64.b64decode(shot["data"]))


def test_did_you_mean_near_duplicates_and_markup_in_documents(index_dir, start_server, browser):
    server = start_server(index_dir)
    browser.send("Page.navigate", {"url": server.base + "/?q=rivr+harbr"})
    link = browser.wait_for("document.getElementById('did-you-mean')?.textContent")
    assert link == "river harbor"
    browser.click("#did-you-mean")
    browser.wait_for("location.search === '?q=river+harbor' && "
                     "document.querySelectorAll('#results li.hit').length === 10")

    browser.send("Page.navigate", {"url": server.base + "/?q=zeppelin"})
    browser.wait_for("document.querySelectorAll('#results li.hit').length === 1")
    assert browser.evaluate("document.querySelectorAll('.dups a').length") == 1

    # Text from documents is shown as text: a <script> in a title does not run.
    browser.send("Page.navigate", {"url": server.base + "/?q=aardvark"})
    browser.wait_for("document.querySelectorAll('#results li.hit').length === 1")
    assert browser.evaluate("window.injected === undefined")
    assert "<script>" in browser.evaluate("document.querySelector('#results a.title').textContent")
    # And a document's own "<b>" is text, not a highlight.
    assert "<b>markup</b>" in browser.evaluate("document.querySelector('#results .snippet').textContent")
    assert browser.evaluate("document.querySelectorAll('#results .snippet mark').length") == 1
    browser.click("#results li.hit a.title")
    browser.wait_for("!document.getElementById('document').hidden")
    assert browser.evaluate("document.querySelector('#document .id').textContent") == \
        "folder/with space/é?&#.txt"
    assert browser.evaluate("window.injected === undefined")
