"""`--serve [PORT]`: a run's live page, served on this computer only (127.0.0.1), with the
standard library's HTTP server on a thread of its own.

Three addresses: `/` is the page (nncli.render.vector.live), `/events` the stream of
server-sent events it reads — every frame the run draws ("frame"), then "end" with how
the run ended — and `POST /key` takes the page's buttons (pause, step, quit), which reach
the run as the keys a terminal would send. A viewer that connects late gets the latest
frame at once. Requests that name another host (a web page trying its luck through DNS
rebinding) or come from another origin are refused.

The server lives exactly as long as the run: `close()` ends every stream with the end
event, then stops it.
"""

import http.server
import json
import queue
import threading

from nncli.errors import NncliError

HOST = "127.0.0.1"
PAGE_KEYS = {"pause": " ", "step": "n", "quit": "q"}  # a button → the key a terminal sends for it
KEEP_ALIVE_S = 10  # a comment line this often keeps an idle stream open through proxies
GOODBYE_S = 2.0  # how long `close()` waits for the streams to send the end event
MOST_BODY = 64  # bytes of a key request that are read


class LivePage:
    """The page of the run called `title`, served on `port` (0: a free one) until `close()`."""

    def __init__(self, port, title):
        self.title = title
        self.latest = None  # the latest frame event, as the page's frame_event made it
        self.ending = None  # how the run ended, once it has
        self.serial = 0  # counts the frames shown, so each stream sends each at most once
        self.streams = 0  # streams open now
        self.changed = threading.Condition()
        self.pressed = queue.SimpleQueue()
        try:
            self.server = http.server.ThreadingHTTPServer((HOST, port), Handler)
        except OSError as error:
            reason = error.strerror or str(error)
            raise NncliError(
                f"--serve: cannot listen on {HOST} port {port}: {reason} "
                "(choose another port, or --serve alone for a free one)"
            ) from None
        self.server.daemon_threads = True
        self.server.page = self
        self.port = self.server.server_address[1]
        self.address = f"http://{HOST}:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, name="nncli-serve", daemon=True)
        self.thread.start()

    def show(self, event):
        """Send the frame `event` (render.vector.live.frame_event) to every page watching."""
        with self.changed:
            self.latest, self.serial = event, self.serial + 1
            self.changed.notify_all()

    def end(self, ending):
        """The run has ended (`ending`: how, in a few words): the pages say so."""
        with self.changed:
            if self.ending is None:
                self.ending = ending
            self.changed.notify_all()

    def close(self, ending="stopped"):
        """End every stream (with `ending`, unless `end` said how already) and stop serving."""
        self.end(ending)
        with self.changed:
            self.changed.wait_for(lambda: self.streams == 0, timeout=GOODBYE_S)
        self.server.shutdown()
        self.server.server_close()

    def keys(self, timeout=0.0):
        """The keys pressed on the page since last asked, as a terminal would send them
        (waiting up to `timeout` seconds for the first)."""
        text = ""
        try:
            text = self.pressed.get(timeout=timeout) if timeout else self.pressed.get_nowait()
            while True:
                text += self.pressed.get_nowait()
        except queue.Empty:
            return text

    def reader(self, terminal):
        """One reader of the keys of the `terminal` (a reader of nncli.cli.terminal, or None)
        and of the page's buttons."""
        return BothKeys(terminal, self)

    def stream(self, write):
        """Send frames with `write(bytes)` as they come, then the end event."""
        sent = 0
        with self.changed:
            self.streams += 1
        try:
            while True:
                with self.changed:
                    news = self.changed.wait_for(lambda seen=sent: self.serial != seen or self.ending, KEEP_ALIVE_S)
                    serial, latest, ending = self.serial, self.latest, self.ending
                if not news:
                    write(b": still training\n\n")
                    continue
                if serial != sent and latest is not None:
                    write(message("frame", latest))
                    sent = serial
                if ending is not None:
                    write(message("end", {"ending": ending}))
                    return
        except OSError:  # the page was closed
            return
        finally:
            with self.changed:
                self.streams -= 1
                self.changed.notify_all()


def message(kind, data):
    """One server-sent event."""
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()


class BothKeys:
    """The keys typed on the terminal (a reader, or None) and pressed on the page, read as
    one terminal reader's are: `pressed(timeout)`, `events(timeout)`."""

    def __init__(self, terminal, page):
        self.terminal, self.page = terminal, page

    def pressed(self, timeout=0.0):
        if self.terminal is None:
            return self.page.keys(timeout)
        return self.terminal.pressed(timeout) + self.page.keys()

    def events(self, timeout=0.0):
        from nncli.cli.terminal import events

        return events(self.pressed(timeout))


class Handler(http.server.BaseHTTPRequestHandler):
    timeout = 30  # a connection that sends nothing is let go
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        page = self.server.page
        if not self.from_here():
            return
        if self.path == "/":
            from nncli.render.vector.live import live_page

            with page.changed:
                latest = page.latest
            self.reply(200, "text/html; charset=utf-8", live_page(page.title, latest).encode())
        elif self.path == "/events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

            def write(data):
                self.wfile.write(data)
                self.wfile.flush()

            page.stream(write)
        else:
            self.reply(404, "text/plain", b"not found\n")

    def do_POST(self):
        if not self.from_here():
            return
        length = min(int(self.headers.get("Content-Length") or 0), MOST_BODY)
        name = self.rfile.read(length).decode("ascii", errors="replace").strip()
        if self.path != "/key" or name not in PAGE_KEYS:
            self.reply(404, "text/plain", b"no such key\n")
            return
        self.server.page.pressed.put(PAGE_KEYS[name])
        self.reply(204, "text/plain", b"")

    def from_here(self):
        """Whether the request names this server as its host (and, if it says, comes from
        its own page); if not, it is refused."""
        port = self.server.page.port
        hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        origin = self.headers.get("Origin")
        if self.headers.get("Host") in hosts and (origin is None or origin in {f"http://{h}" for h in hosts}):
            return True
        self.reply(403, "text/plain", b"only this computer's own page may ask\n")
        return False

    def reply(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        """Requests are not logged: stderr is the run's."""
