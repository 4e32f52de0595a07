"""Opens STREAMS event streams for one user, PUTs a progress update, and reports how long
until every stream has it (median of RUNS updates)."""
import json, os, resource, selectors, socket, statistics, sys, time, http.client, urllib.parse

url, token, file_id = sys.argv[1], sys.argv[2], sys.argv[3]
streams, runs = int(os.environ.get("STREAMS", "1000")), int(os.environ.get("RUNS", "5"))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
u = urllib.parse.urlparse(url)
sel = selectors.DefaultSelector()
socks = []
for i in range(streams):
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, bytearray())
    socks.append(s)


def drain(until, wanted):
    """Reads until every stream has shown `wanted`, or the deadline passes."""
    pending = {s for s in socks}
    while pending and time.monotonic() < until:
        for key, _ in sel.select(timeout=0.05):
            data = key.fileobj.recv(65536)
            key.data.extend(data)
            if wanted in key.data:
                pending.discard(key.fileobj)
    return len(pending)


assert drain(time.monotonic() + 30, b": ping") == 0, "not every stream opened"
conn = http.client.HTTPConnection(u.hostname, u.port)
times = []
for run in range(runs):
    for key in sel.get_map().values():
        key.data.clear()
    # Sequence numbers rise across runs of this script too, or the server (rightly) ignores them.
    seq = time.time_ns() // 1000
    body = json.dumps({"position": 3 + run, "event": "pause", "device_id": "fanout", "seq": seq})
    t0 = time.monotonic()
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    conn.request("PUT", f"/api/v1/progress/{file_id}", body=body, headers=headers)
    r = conn.getresponse()
    answer = json.loads(r.read())
    assert r.status == 200 and not answer.get("stale"), answer
    missing = drain(t0 + 10, f'"updated_at":{answer["updated_at"]}'.encode())
    if missing:
        sample = next(iter(sel.get_map().values())).data[-600:]
        sys.exit(f"{missing} streams did not get the event; one had: {bytes(sample)!r}; "
                 f"the PUT answered {answer}")
    times.append(time.monotonic() - t0)
print(f"SSE fan-out: {streams} streams of one user all had the event {statistics.median(times) * 1000:.1f} ms "
      f"after the PUT was sent (median of {runs})")
