"""The attack bench's client (see attack.sh): a viewer's 1 MiB ranges and a user's sign-ins,
timed alone and then while attackers sign in over and over (argon2id each time) and open and
drop event streams. Prints p50 and p99 of each, and the ratios."""
import http.client
import json
import os
import random
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


def ranges(count):
    conn = http.client.HTTPConnection(host, port)
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


def sign_ins(count, stop=None):
    conn = http.client.HTTPConnection(host, port)
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
        s = socket.create_connection((host, port))
        s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}"
                  "\r\n\r\n".encode())
        s.recv(256)
        s.close()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


def report(name, quiet, loud):
    print(f"{name}: p50 {pct(quiet, .5):.1f} ms, p99 {pct(quiet, .99):.1f} ms alone; "
          f"p50 {pct(loud, .5):.1f} ms, p99 {pct(loud, .99):.1f} ms under attack "
          f"(ratios {pct(loud, .5) / pct(quiet, .5):.2f}, {pct(loud, .99) / pct(quiet, .99):.2f})")


quiet_ranges, quiet_logins = ranges(n), sign_ins(max(n // 10, 10))
stop = threading.Event()
attackers = [threading.Thread(target=sign_ins, args=(0, stop)) for _ in range(4)]
attackers.append(threading.Thread(target=churn_events, args=(stop,)))
for t in attackers:
    t.start()
time.sleep(1)
loud_ranges, loud_logins = ranges(n), sign_ins(max(n // 10, 10))
stop.set()
for t in attackers:
    t.join()
report("1 MiB range", quiet_ranges, loud_ranges)
report("sign-in", quiet_logins, loud_logins)
