#!/usr/bin/env python3
"""Opens URL in headless Chromium, lets it run for SECONDS of real time, writes a full-page PNG.

    scripts/headless-screenshot.py URL OUT.png [--seconds S] [--width W] [--height H] [--dark]
                                   [--allow-failed-loads] [--chromium PATH]
                                   [--session-storage-file KEY=PATH]...

--session-storage-file KEY=PATH puts the first line of PATH in the page's sessionStorage under KEY
before any script of the page runs (the dashboard's token: `kvortex.dashboard.token`); the value is
read from a file so that it never appears on a command line.

Why not `chromium --screenshot --virtual-time-budget`: under virtual time the page's clock races ahead
while only a few real milliseconds pass between its polls, so every rate it computes from /metrics is
wrong. This drives Chromium over the DevTools protocol instead (a minimal WebSocket client, standard
library only): real time passes, and script errors, console errors and failed loads are collected and
printed. Exit status 1 when the page threw or logged an error (failed fetches of members known to be
down are expected: pass --allow-failed-loads), 2 on bad usage or when Chromium cannot be driven.
Chromium is started by this script and stopped by its PID.
"""
import argparse, base64, json, os, re, shutil, socket, struct, subprocess, sys, tempfile, time


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, client masking, no extensions."""

    def __init__(self, url):
        match = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        self.sock = socket.create_connection((match.group(1), int(match.group(2))), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {match.group(3)} HTTP/1.1\r\nHost: {match.group(1)}:{match.group(2)}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("DevTools closed the connection during the handshake")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise OSError("DevTools refused the WebSocket: " + head.decode(errors="replace"))

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise OSError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:count], self.buffer[count:]
        return out

    def receive(self):
        """The next whole text message (fragments joined); control frames are skipped."""
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 8:
                raise OSError("DevTools closed the WebSocket")
            if opcode in (0, 1, 2):
                message += payload
                if first & 0x80:
                    return message.decode()


class DevTools:
    """Commands with ids; events are kept in order for the caller to read."""

    def __init__(self, url):
        self.ws = WebSocket(url)
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise OSError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise OSError(f"{method}: no answer within {timeout} s")

    def pump(self, seconds):
        """Collects events for `seconds` of real time."""
        deadline = time.time() + seconds
        while (left := deadline - time.time()) > 0:
            self.ws.sock.settimeout(left)
            try:
                self.events.append(json.loads(self.ws.receive()))
            except socket.timeout:
                break
        self.ws.sock.settimeout(10)


def start_chromium(path, width, height, profile):
    process = subprocess.Popen(
        [path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            return process, match.group(1)
    process.kill()
    raise OSError("Chromium did not print its DevTools address within 30 s")


def problems(events, allow_failed_loads):
    """Script exceptions, console errors and (unless allowed) failed loads, as lines."""
    out = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            out.append("exception: " + details.get("exception", {}).get("description", details.get("text", "?")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            out.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            if entry.get("source") == "network" and allow_failed_loads:
                continue
            out.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome"))
    parser.add_argument("--allow-failed-loads", action="store_true")
    parser.add_argument("--dark", action="store_true", help="emulate prefers-color-scheme: dark")
    parser.add_argument("--session-storage-file", action="append", default=[], metavar="KEY=PATH",
                        help="sessionStorage[KEY] = the first line of PATH, before the page's scripts run")
    args = parser.parse_args()
    storage = {}
    for item in args.session_storage_file:
        key, sep, path = item.partition("=")
        if not sep or not key:
            print(f"--session-storage-file takes KEY=PATH, not {item!r}", file=sys.stderr)
            return 2
        try:
            with open(path) as file:
                storage[key] = file.readline().strip()
        except OSError as error:
            print(f"--session-storage-file {key}: {error}", file=sys.stderr)
            return 2
    if not args.chromium:
        print("no chromium found (apt-get install -y chromium, or pass --chromium PATH)", file=sys.stderr)
        return 2
    profile = tempfile.mkdtemp(prefix="kvortex-chromium-")
    process = None
    try:
        process, address = start_chromium(args.chromium, args.width, args.height, profile)
        tools = DevTools(address)
        target = tools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            tools.call(domain + ".enable", session=session)
        tools.call("Emulation.setDeviceMetricsOverride",
                   {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        if args.dark:
            tools.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
                       session=session)
        if storage:
            # Runs in every new document of the tab before its own scripts: the page finds the values
            # as if an operator had entered them earlier in this tab.
            source = "try {" + "".join(f"sessionStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in storage.items()) + "} catch (e) {}"
            tools.call("Page.addScriptToEvaluateOnNewDocument", {"source": source}, session=session)
        tools.call("Page.navigate", {"url": args.url}, session=session)
        tools.pump(args.seconds)
        height = tools.call("Runtime.evaluate", {"expression": "document.documentElement.scrollHeight", "returnByValue": True},
                            session=session)["result"].get("value", args.height)
        shot = tools.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                          "clip": {"x": 0, "y": 0, "width": args.width, "height": max(height, args.height), "scale": 1}},
                          session=session)
        with open(args.out, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
        found = problems(tools.events, args.allow_failed_loads)
        print(f"{args.out}: {args.width}x{max(height, args.height)} after {args.seconds:g} s of {args.url}", flush=True)
        for line in dict.fromkeys(found):
            count = found.count(line)
            print("  " + line + (f" (x{count})" if count > 1 else ""), file=sys.stderr)
        return 1 if found else 0
    except OSError as error:
        print(f"cannot drive Chromium: {error}", file=sys.stderr)
        return 2
    finally:
        if process:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
