"""A headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``): no driver, no
websocket library, no network. Used by tests/test_book_browser.py to look at the built book as a reader does.

The protocol on the pipe is JSON messages ended by a NUL byte: Chromium reads commands on fd 3 and writes
replies and events on fd 4. Every name resolves to nothing (``--host-resolver-rules``), and every request the
pages make is recorded, so a page that reaches for the network is seen doing so.
"""
import base64
import json
import os
import shutil
import subprocess
import time

#: Debian's package installs ``chromium``; other systems name it differently
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium():
    """The path of a Chromium executable, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium with one page; ``with Browser() as b: b.open(url)``."""

    def __init__(self, executable=None, width=1200, timeout=60):
        self.executable = executable or find_chromium()
        if self.executable is None:
            raise FileNotFoundError("no Chromium found (Debian: apt-get install chromium)")
        self.width, self.timeout = width, timeout
        self.requests, self._next, self._buffer, self._events = [], 0, b"", []

    def __enter__(self):
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def child_fds():   # Chromium expects its command pipe on fd 3 and its reply pipe on fd 4
            read, write = os.dup(to_chrome_r), os.dup(from_chrome_w)   # out of the way of 3 and 4 first
            os.dup2(read, 3)
            os.dup2(write, 4)
        self.profile = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"twolayer-chromium-{os.getpid()}")
        self.process = subprocess.Popen(
            [self.executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--allow-file-access-from-files",
             f"--user-data-dir={self.profile}", f"--window-size={self.width},900", "about:blank"],
            pass_fds=(3, 4), preexec_fn=child_fds, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._write, self._read = to_chrome_w, from_chrome_r
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable", session=True)
        return self

    def __exit__(self, *exc):
        try:
            self.call("Browser.close")
        except Exception:   # already gone: nothing to close
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._write)
        os.close(self._read)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _message(self):
        deadline = time.time() + self.timeout
        while b"\0" not in self._buffer:
            if time.time() > deadline:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed its pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if message.get("method") == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        return message

    def call(self, method, params=None, session=False):
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def wait_for(self, event):
        """Block until the page fires ``event`` (e.g. Page.loadEventFired)."""
        for i, message in enumerate(self._events):
            if message.get("method") == event:
                del self._events[: i + 1]
                return message
        while True:
            message = self._message()
            if message.get("method") == event:
                self._events.clear()
                return message

    def open(self, url):
        """Load ``url`` and wait for its load event and for MathJax's typesetting, if the page has MathJax."""
        self._events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")
        self.evaluate("(async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise) "
                      "await MathJax.startup.promise; return true; })()")

    def evaluate(self, expression):
        """The JSON value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript error: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, path, max_height=4000):
        """A PNG of the page from its top, at most ``max_height`` CSS pixels tall."""
        height = min(int(self.evaluate("document.documentElement.scrollHeight")), max_height)
        self.call("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": height,
                                                         "deviceScaleFactor": 1, "mobile": False}, session=True)
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))
        self.call("Emulation.clearDeviceMetricsOverride", session=True)
