"""Headless Chromium for the tests: Debian's chromium, driven over the DevTools protocol.

The browser is started with --remote-debugging-pipe (messages on fds 3 and 4), so no driver
binary, no npm package and no network port is needed: only the `chromium` package. Used by the
server's page tests and the static site's browser tests.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--remote-debugging-pipe", "--window-size=1280,900",
         # offline: no name resolves, and anything else goes to a dead proxy (loopback bypasses it)
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--proxy-server=http://127.0.0.1:9"]


class Browser:
    """A minimal DevTools-protocol client over chromium's debugging pipe."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # chromium reads commands on fd 3 and writes replies on fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4, to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []  # every DevTools event, in order
        self.on_event: Callable[[dict[str, Any]], None] | None = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        self.call("Page.enable", session=True)

    def send(self, method: str, session: bool = False, **params: Any) -> int:
        """Send a command without waiting for its reply (for event handlers)."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        return self._id

    def _message(self) -> dict[str, Any]:
        """The next message from chromium (blocking); events are recorded and handled."""
        while b"\0" not in self._buf:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the debugging pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        if "method" in message:
            self.events.append(message)
            if self.on_event:
                self.on_event(message)
        return message

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        wanted = self.send(method, session, **params)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            reply = self._message()
            if reply.get("id") == wanted:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
        raise TimeoutError(method)

    def wait_event(self, method: str, since: int) -> dict[str, Any]:
        """The first event ``method`` recorded at or after index ``since`` (waits for it)."""
        while True:
            found = [ev for ev in self.events[since:] if ev["method"] == method]
            if found:
                return found[0]
            self._message()

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True, awaitPromise=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(expression)

    def until(self, expression: str, timeout_ms: int = 30000) -> Any:
        """The first truthy value of ``expression``, waited for inside the page (checked on
        every animation frame and DOM change), so the test itself never sleeps."""
        return self.js(f"""new Promise((resolve, reject) => {{
            const check = () => {{
                try {{ const v = ({expression}); if (v) {{ done(v); return true; }} }}
                catch (e) {{}}
                return false; }};
            const obs = new MutationObserver(check);
            const timer = setTimeout(() => {{ obs.disconnect(); reject(new Error("timed out: " +
                {json.dumps(expression)})); }}, {timeout_ms});
            const done = (v) => {{ obs.disconnect(); clearTimeout(timer); resolve(v); }};
            if (!check()) {{ obs.observe(document, {{subtree: true, childList: true,
                                                    attributes: true, characterData: true}});
                            const tick = () => {{ if (!check()) requestAnimationFrame(tick); }};
                            requestAnimationFrame(tick); }}
        }})""")

    def load(self, url: str) -> None:
        """Navigate and wait for the page's load event (an event, not a poll)."""
        start = len(self.events)
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired", start)

    def open(self, url: str) -> None:
        self.call("Page.navigate", session=True, url=url)
        self.wait_for(f"document.readyState === 'complete' && location.href === {url!r}")

    def screenshot(self, path: Path, full_page: bool = False) -> None:
        extra: dict[str, Any] = {}
        if full_page:
            size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
            extra = {"captureBeyondViewport": True, "clip": {
                "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}}
        data = self.call("Page.captureScreenshot", session=True, format="png", **extra)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        os.close(self._to_chrome)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._from_chrome)
