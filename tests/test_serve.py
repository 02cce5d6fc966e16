"""`--serve`: the live page of a run, served on 127.0.0.1 only while the run lasts — its
stream of frames and the end event, its buttons, and the errors of a port in use."""

import http.client
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import browser, dom_in_browser, run

ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def start(*args):
    """`nncli ARGS` in a process of its own, and the port its live page is served on."""
    process = subprocess.Popen(
        [sys.executable, "-m", "nncli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = process.stderr.readline()
    found = ADDRESS.search(first)
    if found is None:
        process.kill()
        pytest.fail(f"no address on stderr: {first!r} {process.communicate()}")
    return process, int(found.group(1))


def finish(process):
    out, err = process.communicate(timeout=60)
    assert "Traceback" not in err
    return out, err


def events_of(port, each=lambda found: None):
    """Every (event, data) of the page's stream, until the end event closes it;
    `each(found)` is called with those so far as each comes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/events")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
    found, kind = [], None
    for line in response:
        line = line.decode().rstrip("\n")
        if line.startswith("event: "):
            kind = line[len("event: ") :]
        elif line.startswith("data: "):
            found.append((kind, json.loads(line[len("data: ") :])))
            each(found)
    connection.close()
    return found


def listening_addresses(port):
    """The local addresses of the sockets listening on `port`, from the kernel's tables."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                addresses.append(address)
    return addresses


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


def test_a_served_run_streams_its_frames_then_the_end_on_loopback_only_and_stops_with_the_run():
    process, port = start("train", "xor", "--serve", "0", "--epochs", 600, "--pace", 300, "--no-save")
    try:
        if not Path("/proc/net/tcp").exists():
            pytest.skip("no /proc/net/tcp to read the listening sockets from")
        assert listening_addresses(port) == ["0100007F"]  # 127.0.0.1, and nothing else
        status, page = request(port, "GET", "/")
        assert status == 200 and "<title>XOR</title>" in page and "connect-src 'self'" in page
        found = events_of(port)
    finally:
        out, err = finish(process)
    assert process.returncode == 0, err
    frames = [data for kind, data in found if kind == "frame"]
    assert len(frames) >= 2
    assert all("<svg" in frame["html"] for frame in frames)  # the boundary as shapes
    epochs = [int(re.match(r"epoch ([\d,]+)/600", frame["label"]).group(1).replace(",", "")) for frame in frames]
    assert epochs == sorted(epochs) and epochs[-1] == 600  # the last frame is the weights the run ended with
    assert found[-1] == ("end", {"ending": "done"})
    assert "done after 600 epochs" in err
    assert "\x1b[?2026" not in out + err  # piped: no synchronized updates (nncli.render.synchronized)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)  # the server stopped with the run
    assert listening_addresses(port) == []


def test_the_page_stops_the_run_as_q_does_and_other_hosts_and_origins_are_refused():
    process, port = start("train", "xor", "--serve", "--epochs", 100_000, "--pace", 100, "--no-save")
    try:
        assert request(port, "GET", "/", headers={"Host": f"evil.example:{port}"})[0] == 403
        foreign = {"Origin": "http://evil.example"}
        assert request(port, "POST", "/key", body="quit", headers=foreign)[0] == 403
        assert request(port, "POST", "/key", body="launch")[0] == 404
        origin = {"Origin": f"http://127.0.0.1:{port}"}
        assert request(port, "POST", "/key", body="quit", headers=origin)[0] == 204
        found = events_of(port)
    finally:
        out, err = finish(process)
    assert process.returncode == 0, err
    stopped = re.search(r"stopped at epoch ([\d,]+)", err)
    assert stopped, err
    assert found[-1] == ("end", {"ending": stopped.group(0)})


def test_the_page_buttons_arrive_as_the_keys_a_terminal_sends():
    from nncli.cli.serve import LivePage

    page = LivePage(0, "a run")
    try:
        for name in ("pause", "step", "quit"):
            assert request(page.port, "POST", "/key", body=name)[0] == 204
        assert page.reader(None).events(1.0) == ["space", "n", "q"]  # as a terminal would send them
        assert page.keys() == ""
    finally:
        page.close()


def test_a_viewer_that_comes_late_gets_the_latest_frame_at_once_and_the_end():
    from nncli.cli.serve import LivePage

    page = LivePage(0, "a run")
    try:
        page.show({"html": "<p>one</p>", "label": "epoch 1", "css": ""})
        page.show({"html": "<p>two</p>", "label": "epoch 2", "css": ""})
        status, text = request(page.port, "GET", "/")
        assert status == 200 and "<p>two</p>" in text  # the page holds the latest picture without script
        page.end("done")
        latest = {"html": "<p>two</p>", "label": "epoch 2", "css": ""}
        assert events_of(page.port) == [("frame", latest), ("end", {"ending": "done"})]
    finally:
        page.close()


def test_a_port_in_use_is_a_one_line_error():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        result = run("train", "xor", "--serve", taken.getsockname()[1], "--epochs", 5, "--no-save")
    finally:
        taken.close()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--serve: cannot listen on 127.0.0.1 port" in lines[0]


def test_serve_takes_a_port_number_only():
    result = run("approx", "sin", "--serve", "http", "--epochs", 5)
    assert result.exit_code == 2 and "--serve" in result.stderr
    result = run("approx", "sin", "--serve", "70000", "--epochs", 5)
    assert result.exit_code == 2


def page_events_beside(terminal, port, act):
    """The page's events, read while the `terminal` (test_play_terminal.Terminal) is read all
    the while (a full terminal would block the program); `act(found)` is called with those so
    far, again and again, until the stream ends."""
    import threading
    import time

    found = []
    reader = threading.Thread(target=events_of, args=(port, lambda so_far: found.append(so_far[-1])), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while reader.is_alive():
        assert time.monotonic() < deadline, terminal.text()
        terminal.read(0.1)
        act(list(found))
    return found


def test_the_terminal_keys_still_pause_and_stop_the_run_while_the_page_watches():
    from test_play_terminal import Terminal

    terminal = Terminal("train", "xor", "--serve", "0", "--epochs", 100_000, "--pace", 200, "--no-save")
    port = int(ADDRESS.search(terminal.wait_for(ADDRESS.pattern)).group(1))
    pressed = []

    def act(found):
        labels = [data.get("label", "") for kind, data in found]
        if not pressed and len(labels) >= 2:
            pressed.append(b" ")
            terminal.send(b" ")  # pause, on the terminal
        elif pressed == [b" "] and labels and labels[-1].endswith("paused"):
            pressed.append(b"q")
            terminal.send(b"q")

    found = page_events_beside(terminal, port, act)
    assert terminal.finish() == 0
    assert pressed == [b" ", b"q"] and found[-1][0] == "end" and found[-1][1]["ending"].startswith("stopped at epoch")


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
def test_the_live_page_in_a_browser_shows_the_frame_streamed_and_that_the_run_ended(tmp_path):
    from nncli.cli.serve import LivePage
    from nncli.render.html import StyleSheet
    from nncli.render.vector.live import frame_event
    from nncli.views.plane import Boundary

    page = LivePage(0, "XOR <b>live</b>")
    try:
        page.show({"html": "<p>an older frame</p>", "label": "epoch 1", "css": ""})  # what the page is served with
        boundary = Boundary([0, 1, 2], [2, 1, 0], [[0.1, 0.5, 0.9]] * 3, [(0.5, 0.5, 1, 0)])
        page.show(frame_event([boundary], "epoch 2,000/2,000 · loss 0.01", StyleSheet()))
        page.end("done")
        dom = dom_in_browser(page.address, tmp_path)
    finally:
        page.close()
    assert "the run has ended: done" in dom  # the script took the stream: the end …
    assert "epoch 2,000/2,000 · loss 0.01" in dom and "an older frame" not in dom  # … and the newest frame
    assert dom.count('<svg class="view"') == 1
    assert "XOR &lt;b&gt;live&lt;/b&gt;" in dom  # the title as text
    assert dom.count("disabled") >= 3  # the buttons are off once the run has ended
