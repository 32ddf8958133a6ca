"""Chapter 6 from the host's side: a real TCP client reaches the guest's stack.

The chapter's demo kernel boots with one NIC on QEMU's user networking; a free port
on the host's 127.0.0.1 is forwarded to the guest's port 80, where `net_check http`
answers HTTP/1.1 requests. This module then connects from the host:

1. with Python's socket module (a request sent in two pieces, so the server must
   frame it, not assume one read is one message);
2. with `curl` (Debian's), a client nobody here wrote;
3. with Python again.

QEMU records the guest's traffic as a pcap (filter-dump); `tcpdump` decodes it and
the checks read its verdicts: every TCP checksum correct, a three-way handshake, a
FIN. Under user networking the host's timing matters, so these are behaviour
checks, never figures.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from harness import chapters, qemu
from harness.results import Status, TestResult

REQUESTS = 3
BODY = "hello from the COPS kernel"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, split: bool, deadline: float) -> str:
    """One GET to 127.0.0.1:@port with Python's socket module, retried until the guest
    answers or @deadline passes (QEMU accepts on the host before the guest listens).
    @split sends the request in two pieces. The whole response, or ""."""
    request = b"GET /matrix HTTP/1.1\r\nHost: cops\r\nUser-Agent: kit-harness\r\n\r\n"
    while time.monotonic() < deadline:
        try:
            # A long timeout: QEMU accepts on the host at once and passes the connection on
            # when the guest answers its SYN (maybe a retransmitted one); a client that gave
            # up early would leave a request the guest still serves.
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                if split:
                    s.sendall(request[:20])
                    time.sleep(0.2)
                    s.sendall(request[20:])
                else:
                    s.sendall(request)
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    return data.decode("latin-1")
        except OSError:
            pass
        time.sleep(0.3)
    return ""


def curl_get(port: int, deadline: float) -> str:
    """The body `curl` gets from the guest, retried until @deadline, or ""."""
    while time.monotonic() < deadline:
        # A generous -m: a retry after an answer that was only slow would be a request
        # more than the guest serves before it powers off.
        done = subprocess.run(["curl", "-s", "-m", "30", f"http://127.0.0.1:{port}/"],
                              capture_output=True, text=True, check=False)
        if done.stdout:
            # An answer, even if curl then reports an error (a reset after the body):
            # trying again would be a request more than the guest serves.
            return done.stdout
        time.sleep(0.3)  # nothing came: QEMU accepted before the guest listened
    return ""


def decode_pcap(path: str) -> tuple[list[str], str | None]:
    """tcpdump's lines for @path, and None if its checks pass, else what is wrong."""
    done = subprocess.run(["tcpdump", "-r", path, "-nn", "-vv"], capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    if done.returncode != 0:
        return lines, f"tcpdump could not read {path}: {done.stderr.strip()}"
    text = done.stdout
    if "incorrect" in text:
        bad = next(line for line in lines if "incorrect" in line)
        return lines, f"a checksum in the guest's traffic is wrong: {bad.strip()}"
    for flags, what in (("Flags [S]", "a SYN"), ("Flags [S.]", "a SYN-ACK"), ("Flags [F", "a FIN")):
        if flags not in text:
            return lines, f"the capture has no {what} ('{flags}')"
    if "(correct)" not in text:
        return lines, "tcpdump verified no TCP checksum"
    return lines, None


def host_network_results(root: str, ch: int) -> list[TestResult]:
    """Chapter @ch's demo kernel on QEMU user networking, reached from the host."""
    suite, kernel = f"ch{ch} host network", os.path.join(root, "build", f"ch{ch}", "kernel.elf")
    names = ["python-socket-request-in-two-pieces", "curl-gets-the-body", "python-socket-request",
             "the-guest-served-every-request-and-powered-off", "pcap-checksums-handshake-and-fin"]
    missing = [tool for tool in ("curl", "tcpdump") if shutil.which(tool) is None]
    if not os.path.exists(kernel) or missing:
        why = f"{kernel} was not built" if missing == [] else f"{' and '.join(missing)} not installed (make tools)"
        return [TestResult(suite, n, Status.NOT_RUN, why) for n in names]
    port = free_port()
    fd, pcap = tempfile.mkstemp(prefix=f"cops-ch{ch}-", suffix=".pcap")
    os.close(fd)
    try:
        config = qemu.QemuConfig(smp=1, icount=False, extra=chapters.user_net_args(port, 80, pcap))
        argv = config.argv(kernel, f"init=net_check,http,80,{REQUESTS}")
        outcome: list[qemu.RunOutcome] = []
        boot = threading.Thread(target=lambda: outcome.append(qemu.run(argv, wall_timeout=150)))
        boot.start()
        # Each request has its own deadline: on a loaded machine the boot alone may take
        # most of a minute, and the later requests must not inherit what is left of it.
        first = http_get(port, True, time.monotonic() + 60)
        body = curl_get(port, time.monotonic() + 60)
        third = http_get(port, False, time.monotonic() + 60)
        boot.join()
        run = outcome[0]
        tail = run.lines[-15:]
        results = []
        for name, got, want in ((names[0], first, "HTTP/1.1 200 OK"), (names[1], body, BODY),
                                (names[2], third, "HTTP/1.1 200 OK")):
            if want in got and BODY in got:
                results.append(TestResult(suite, name, Status.PASS))
            else:
                results.append(TestResult(suite, name, Status.FAIL,
                                          f"expected '{want}' and the body from 127.0.0.1:{port} (forwarded to the "
                                          f"guest's port 80), got {got[:120]!r}", tail))
        served = run.stopped == "exited" and run.exit_code == 0 and "FAIL" not in run.output
        results.append(TestResult(suite, names[3], Status.PASS) if served else
                       TestResult(suite, names[3], Status.FAIL,
                                  f"QEMU {run.stopped} with status {run.exit_code}; `net_check http` answers "
                                  f"{REQUESTS} requests and exits 0 (`make run CH={ch} NET=user` serves by hand)", tail))
        lines, problem = decode_pcap(pcap)
        results.append(TestResult(suite, names[4], Status.PASS) if problem is None else
                       TestResult(suite, names[4], Status.FAIL, problem, lines[-10:]))
        return results
    finally:
        os.remove(pcap)


def square_line(n: int, seed: int) -> str:
    """The body the matrix server answers `GET /square?n=@n&seed=@seed` with
    (matrix_http.hpp: entry i is (37 i + 11 seed) mod 100; the body is A x A)."""
    a = [(37 * i + 11 * seed) % 100 for i in range(n * n)]
    c = [sum(a[i * n + k] * a[k * n + j] for k in range(n)) for i in range(n) for j in range(n)]
    return " ".join(str(v) for v in [n] + c) + "\n"


def _read_response(s: socket.socket) -> str:
    """One HTTP response from @s, read up to its Content-Length ("" if it ends first)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return ""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            return ""
        body += chunk
    return (head + b"\r\n\r\n" + body).decode("latin-1")


def keep_alive_pair(port: int, deadline: float) -> tuple[str, str]:
    """Two GETs on one connection to the matrix server (the second asks to close)."""
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"GET /square?n=2&seed=1 HTTP/1.1\r\nHost: cops\r\n\r\n")
                first = _read_response(s)
                if not first:
                    raise OSError("no answer")
                s.sendall(b"GET /square?n=4&seed=2 HTTP/1.1\r\nHost: cops\r\nConnection: close\r\n\r\n")
                return first, _read_response(s)
        except OSError:
            time.sleep(0.3)
    return "", ""


# The host build of the load client (make host-client) in the host test: this many
# connections in 4 priorities, a request every 20 ms for 1 s.
HOST_CLIENT_CONNECTIONS = 4


def host_client_run(client: str, port: int) -> subprocess.CompletedProcess | str:
    """Runs the host build of matrix_client against the forwarded port (or says why not)."""
    if not os.path.exists(client):
        return f"{client} was not built (make host-client CH=6)"
    argv = [client, str(HOST_CLIENT_CONNECTIONS), "15", "20", "1000", "4", str(port), "per-connection"]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return f"`{' '.join(argv)}` did not end within 60 s"


def host_client_result(suite: str, name: str, load: subprocess.CompletedProcess | str,
                       tail: list[str]) -> TestResult:
    """Passes when every connection of the host client got checked answers in every priority."""
    if isinstance(load, str):
        return TestResult(suite, name, Status.FAIL, load, tail)
    lines = load.stdout.splitlines()
    per_priority = [line.split() for line in lines if re.match(r"matrix_client:\s+\d+\s+\d+\s+\d+\s+\d+\s+\d", line)
                    and len(line.split()) > 12]
    served = len(per_priority) == 4 and all(int(row[2]) > 0 for row in per_priority)
    if load.returncode == 0 and served and "0 failures" in load.stdout:
        return TestResult(suite, name, Status.PASS)
    return TestResult(suite, name, Status.FAIL,
                      f"the host client exited {load.returncode}; every priority should get answers "
                      f"(try: make host-client CH=6, then build/ch6/host-programs/matrix_client 4 15 20 1000 4 PORT)",
                      lines[-12:] + load.stderr.splitlines()[-5:] + tail)


def host_matrix_http_results(root: str, ch: int) -> list[TestResult]:
    """The paper's matrix server (KCUC) over HTTP from the host: curl, then keep-alive."""
    suite, kernel = f"ch{ch} host network", os.path.join(root, "build", f"ch{ch}", "kernel.elf")
    names = ["curl-gets-a-square-from-the-matrix-server", "two-requests-on-one-kept-alive-connection",
             "the-host-build-of-the-load-client-gets-checked-answers",
             "the-matrix-server-answered-over-http-and-exited-0"]
    client = os.path.join(root, "build", f"ch{ch}", "host-programs", "matrix_client")
    if not os.path.exists(kernel) or shutil.which("curl") is None:
        why = f"{kernel} was not built" if shutil.which("curl") else "curl not installed (make tools)"
        return [TestResult(suite, n, Status.NOT_RUN, why) for n in names]
    port = free_port()
    config = qemu.QemuConfig(smp=1, icount=False, extra=chapters.user_net_args(port, 80))
    outcome: list[qemu.RunOutcome] = []
    boot = threading.Thread(target=lambda: outcome.append(
        qemu.run(config.argv(kernel, f"init=matrix_server,kcuc,80,{2 + HOST_CLIENT_CONNECTIONS}"), wall_timeout=90)))
    boot.start()
    deadline = time.monotonic() + 60
    body = ""
    while time.monotonic() < deadline and not body:
        done = subprocess.run(["curl", "-s", "-m", "10", f"http://127.0.0.1:{port}/square?n=3&seed=5"],
                              capture_output=True, text=True, check=False)
        body = done.stdout if done.returncode == 0 else ""
        if not body:
            time.sleep(0.3)
    first, second = keep_alive_pair(port, deadline)
    load = host_client_run(client, port)
    boot.join()
    run = outcome[0]
    tail = run.lines[-15:]
    want = square_line(3, 5)
    results = [TestResult(suite, names[0], Status.PASS) if body == want else
               TestResult(suite, names[0], Status.FAIL, f"curl got {body[:80]!r}, expected {want[:80]!r}", tail)]
    pair_ok = (first.endswith(square_line(2, 1)) and "Connection: keep-alive" in first and
               second.endswith(square_line(4, 2)) and "Connection: close" in second)
    results.append(TestResult(suite, names[1], Status.PASS) if pair_ok else
                   TestResult(suite, names[1], Status.FAIL,
                              f"on one connection: {first[-60:]!r}, then {second[-60:]!r}", tail))
    results.append(host_client_result(suite, names[2], load, tail))
    served = run.stopped == "exited" and run.exit_code == 0 and "ended with status 0" in run.output
    results.append(TestResult(suite, names[3], Status.PASS) if served else
                   TestResult(suite, names[3], Status.FAIL,
                              f"QEMU {run.stopped} with status {run.exit_code}; `matrix_server kcuc 80 6` serves six "
                              f"connections (two HTTP, four from the host client) and exits 0 "
                              f"(try: make run CH={ch} NET=user INIT=matrix_server,kcuc,80,6)",
                              tail))
    return results
