#!/usr/bin/env python3
"""The Debian package as an administrator meets it: dpkg -i installs the server, its web app,
reel.service and /etc/reel/reel.conf; the installed binary, started the way the unit starts
it (its user, its command line, from /), serves the web app and plays a title, direct and
transcoded; dpkg --purge takes it all away again. Run as root (sudo is used otherwise)."""
import json
import os
import pathlib
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
UNIT = pathlib.Path("/lib/systemd/system/reel.service")
CONF = pathlib.Path("/etc/reel/reel.conf")
PASSWORD = "package-test-password"


def sudo(*cmd):
    return (["sudo"] if os.geteuid() != 0 else []) + list(cmd)


def run(*cmd, **kw):
    return subprocess.run(list(cmd), check=True, text=True, capture_output=True, **kw).stdout


def check(cond, what):
    if not cond:
        sys.exit(f"package test: {what}")
    print(f"ok: {what}")


def request(url, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()


def installed_files():
    check(os.access("/usr/bin/reel", os.X_OK), "/usr/bin/reel is installed")
    web = pathlib.Path("/usr/share/reel/web")
    check((web / "index.html").is_file() and (web / "vendor/hls.min.js").stat().st_size > 10000,
          "the web app and hls.js are under /usr/share/reel/web")
    st = CONF.stat()
    check(stat.S_IMODE(st.st_mode) == 0o640 and st.st_gid == pwd.getpwnam("reel").pw_gid,
          "/etc/reel/reel.conf is 0640, group reel")
    user = pwd.getpwnam("reel")
    check(user.pw_uid < 1000 and user.pw_shell.endswith("nologin"), "reel is a system user")
    check(os.stat("/var/lib/reel").st_uid == user.pw_uid, "/var/lib/reel belongs to reel")
    unit = UNIT.read_text()
    for need in ["User=reel", "ProtectSystem=strict", "ReadWritePaths=/var/lib/reel",
                 "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "PrivateTmp=yes"]:
        check(need in unit, f"the unit has {need.strip()}")
    out = subprocess.run(sudo("systemd-analyze", "verify", str(UNIT)), text=True,
                         capture_output=True)
    # verify also reads the units reel.service names (network-online.target, …); on a
    # machine without systemd running it may warn of those, never of reel.service itself.
    check(out.returncode == 0 or "reel.service" not in out.stderr,
          f"systemd-analyze verify accepts the unit {out.stderr.strip()}")
    # The threshold is in tenths: 30 is an exposure of 3.0 ("OK" ends at 4.9).
    out = subprocess.run(sudo("systemd-analyze", "security", "--offline=yes", "--threshold=30",
                              str(UNIT)), text=True, capture_output=True)
    score = re.search(r"Overall exposure level for reel.service: ([0-9.]+) (\S+)", out.stdout)
    check(score and out.returncode == 0,
          f"systemd-analyze security rates the unit at most 3.0: {score and score.group(0)}")


def start_as_the_unit_does(library):
    unit = UNIT.read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.M).group(1).split()
    user = re.search(r"^User=(.+)$", unit, re.M).group(1)
    env = {
        "PATH": "/usr/bin:/bin",
        "REEL_LISTEN": "127.0.0.1:0",  # the test machine serves loopback only
        "REEL_LIBRARY": library,
        "REEL_ADMIN_USER": "admin",
        "REEL_ADMIN_PASSWORD": PASSWORD,
        "REEL_HLS_CALIBRATE": "0",
    }
    # setpriv runs the command in its own process, as systemd does: SIGTERM reaches reel.
    cmd = sudo("setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", "env",
               "-i", *[f"{k}={v}" for k, v in env.items()], *exec_start)
    proc = subprocess.Popen(cmd, cwd="/", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://[0-9.:]+)", line)
    if not m:
        proc.kill()
        sys.exit(f"package test: the installed reel did not start: {line}{proc.stderr.read()}")
    print(f"ok: started as {user}: {' '.join(exec_start)}")
    return proc, m.group(1)


def ffmpeg_reads(url, token, seconds):
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-headers",
                          f"Authorization: Bearer {token}\r\n", "-i", url, "-t", str(seconds),
                          "-f", "null", "-"], text=True, capture_output=True, timeout=120)
    return out.returncode == 0, out.stderr


def plays(base):
    status, index = request(base + "/")
    check(status == 200 and b"<html" in index.lower(), "GET / serves the installed web app")
    _, body = request(base + "/api/v1/auth/login", "POST",
                      {"username": "admin", "password": PASSWORD})
    token = json.loads(body)["token"]
    for _ in range(600):
        _, scan = request(base + "/api/v1/library/scan", token=token)
        if json.loads(scan).get("finished_at"):
            break
        time.sleep(0.1)
    _, items = request(base + "/api/v1/library/items", token=token)
    movies = json.loads(items)["movies"]
    check(len(movies) > 0, f"the scan found {len(movies)} films")
    # A film the browser plays as it is, and one it cannot (HEVC, say): Reel transcodes it.
    played = set()
    for movie in movies:
        _, item = request(base + f"/api/v1/library/items/{movie['id']}", token=token)
        file_id = json.loads(item)["files"][0]["id"]
        _, body = request(base + f"/api/v1/playback/{file_id}", "POST",
                          {"device_id": "package-test"}, token)
        method = json.loads(body)["method"]
        if method in played:
            continue
        url = f"/api/v1/stream/{file_id}" if method == "direct_play" else json.loads(body)["url"]
        ok, err = ffmpeg_reads(base + url, token, 3)
        check(ok, f"ffmpeg plays {movie['title']!r} by {method}" + ("" if ok else f": {err}"))
        played.add(method)
    check({"direct_play", "transcode"} <= played, f"direct play and a transcode: {played}")


def main():
    deb = sys.argv[1]
    run(*sudo("dpkg", "-i", deb))
    print(f"ok: dpkg -i {deb}")
    library = tempfile.mkdtemp(prefix="reel-package-")
    proc = None
    try:
        installed_files()
        run(str(ROOT / "scripts/gen-media.sh"), library, "--tiny")
        os.chmod(library, 0o755)
        proc, base = start_as_the_unit_does(library)
        plays(base)
        proc.send_signal(signal.SIGTERM)
        check(proc.wait(timeout=30) == 0, "SIGTERM stops it with status 0")
        proc = None
        check(os.stat("/var/lib/reel/reel.db").st_uid == pwd.getpwnam("reel").pw_uid,
              "its database is in /var/lib/reel, written as reel")
    finally:
        if proc:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(library, ignore_errors=True)
        run(*sudo("dpkg", "--purge", "reel"))
    check(not os.path.exists("/usr/bin/reel") and not os.path.exists("/var/lib/reel"),
          "dpkg --purge removes the binary and the data")


if __name__ == "__main__":
    main()
