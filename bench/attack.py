"""The attack bench's client (see attack.sh): a viewer's 1 MiB ranges and a user's sign-ins,
from 127.0.0.2, timed alone and under two attacks from 127.0.0.1: clients signing in over and
over (argon2id each time) while one opens and drops event streams; then thousands of
connections trickling their request heads a byte a second (slowloris), re-opened as soon as
the server closes them, with the event streams still churning. Prints p50 and p99 of each,
and the ratios to the quiet figures."""
import http.client
import json
import multiprocessing
import os
import random
import resource
import socket
import statistics
import sys
import threading
import time

url, token, size, file_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
host, port = url.split("//")[1].split(":")
port = int(port)
n = int(os.environ.get("REQUESTS", "200"))
login = json.dumps({"username": "admin", "password": os.environ["ADMIN_PASSWORD"]})
JSON = {"Content-Type": "application/json"}


VICTIM = ("127.0.0.2", 0)
HELD = int(os.environ.get("HELD", "8300"))


def ranges(count):
    conn = http.client.HTTPConnection(host, port, source_address=VICTIM)
    took = []
    for _ in range(count):
        start = random.randrange(0, size - (1 << 20))
        t0 = time.monotonic()
        conn.request("GET", f"/api/v1/stream/{file_id}?static=1",
                     headers={"Authorization": "Bearer " + token,
                              "Range": f"bytes={start}-{start + (1 << 20) - 1}"})
        r = conn.getresponse()
        body = r.read()
        took.append(time.monotonic() - t0)
        assert r.status == 206 and len(body) == 1 << 20, r.status
    return took


def sign_ins(count, stop=None, source=VICTIM):
    conn = http.client.HTTPConnection(host, port, source_address=source)
    took = []
    while (stop is None and len(took) < count) or (stop is not None and not stop.is_set()):
        t0 = time.monotonic()
        conn.request("POST", "/api/v1/auth/login", body=login, headers=JSON)
        r = conn.getresponse()
        r.read()
        took.append(time.monotonic() - t0)
        assert r.status == 200, r.status
    return took


def churn_events(stop):
    while not stop.is_set():
        try:
            with socket.create_connection((host, port)) as s:
                s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                          f"{token}\r\n\r\n".encode())
                s.recv(256)
        except OSError:
            pass  # turned away: its address holds its share of connections already


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


def report(name, quiet, loud):
    print(f"{name}: p50 {pct(quiet, .5):.1f} ms, p99 {pct(quiet, .99):.1f} ms alone; "
          f"p50 {pct(loud, .5):.1f} ms, p99 {pct(loud, .99):.1f} ms under attack "
          f"(ratios {pct(loud, .5) / pct(quiet, .5):.2f}, {pct(loud, .99) / pct(quiet, .99):.2f})")


def trickle(stop, ready):
    """HELD connections from 127.0.0.1, each sending a request head a byte a second; one the
    server closes is opened again."""
    head = b"GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nX-Slow: "

    def opened():
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((host, port))
        return s

    socks = [opened() for _ in range(HELD)]
    for s in socks:
        try:
            s.send(head[:1])
        except OSError:
            pass
    ready.set()
    reopened = 0
    while not stop.wait(1):
        for i, s in enumerate(socks):
            try:
                if s.send(b"x") != 1:
                    raise OSError
            except OSError:
                s.close()
                socks[i] = opened()
                reopened += 1
    for s in socks:
        s.close()
    print(f"(held {HELD} trickling connections; re-opened {reopened} the server closed)")


def attackers(targets, stop, ready):
    """In a process of their own, so that they do not share the victim's interpreter lock."""
    go = threading.Event()
    go.set()
    threads = []
    for f in targets:
        if f is trickle:
            go.clear()
            threads.append(threading.Thread(target=f, args=(stop, go)))
        else:
            threads.append(threading.Thread(target=f, args=(stop,)))
    for t in threads:
        t.start()
    go.wait()
    ready.set()
    for t in threads:
        t.join()


def phase(targets):
    """Runs the attackers (functions taking a stop event) while the victim measures."""
    stop, ready = multiprocessing.Event(), multiprocessing.Event()
    p = multiprocessing.Process(target=attackers, args=(targets, stop, ready))
    p.start()
    ready.wait()
    time.sleep(1)
    took = ranges(n), sign_ins(max(n // 10, 10))
    stop.set()
    p.join()
    return took


def flood(stop):
    sign_ins(0, stop, ("127.0.0.1", 0))


soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
HELD = min(HELD, hard - 200)
quiet_ranges, quiet_logins = ranges(n), sign_ins(max(n // 10, 10))
loud_ranges, loud_logins = phase([flood] * 4 + [churn_events])
print("four clients signing in over and over, one churning event streams:")
report("  1 MiB range", quiet_ranges, loud_ranges)
report("  sign-in", quiet_logins, loud_logins)
held_ranges, held_logins = phase([trickle, churn_events])
print(f"{HELD} connections trickling their heads, one churning event streams:")
report("  1 MiB range", quiet_ranges, held_ranges)
report("  sign-in", quiet_logins, held_logins)
