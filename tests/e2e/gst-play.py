#!/usr/bin/python3
"""GStreamer's playbin3 as a native HLS client: plays URL with the session cookie, seeks to
60 % and checks that the clock runs on from there. Prints one line; exits 1 on failure.

    gst-play.py URL TOKEN
"""
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
url, token = sys.argv[1], sys.argv[2]
player = Gst.ElementFactory.make("playbin3")
player.set_property("uri", url)
for name in ("video-sink", "audio-sink"):
    sink = Gst.ElementFactory.make("fakesink")
    sink.set_property("sync", True)  # at playback speed, as a screen would
    player.set_property(name, sink)


def setup(_, source):
    # What a browser sends: the cookie, on every playlist and segment request.
    if source.find_property("cookies"):
        source.set_property("cookies", [f"reel_token={token}"])


player.connect("source-setup", setup)
bus = player.get_bus()


def settle(timeout):
    """Waits for the pipeline to settle (ASYNC_DONE); fails on an error."""
    end = time.time() + timeout
    kinds = Gst.MessageType.ERROR | Gst.MessageType.ASYNC_DONE
    while time.time() < end:
        m = bus.timed_pop_filtered(100 * Gst.MSECOND, kinds)
        if m and m.type == Gst.MessageType.ERROR:
            err, debug = m.parse_error()
            sys.exit(f"error: {err.message} ({debug})")
        if m:
            return
    sys.exit(f"did not settle in {timeout} s")


def position():
    ok, pos = player.query_position(Gst.Format.TIME)
    return pos / Gst.SECOND if ok else float("nan")


player.set_state(Gst.State.PLAYING)
settle(30)
ok, duration = player.query_duration(Gst.Format.TIME)
if not ok or duration <= 0:
    sys.exit("no duration")
time.sleep(0.5)
first = position()
player.seek_simple(
    Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, int(duration * 0.6)
)
settle(30)
time.sleep(0.3)
after = position()
time.sleep(1)
later = position()
player.set_state(Gst.State.NULL)
print(f"duration={duration / Gst.SECOND:.3f} first={first:.3f} seek={after:.3f} later={later:.3f}")
# The seek lands on the keyframe that starts the segment holding 60 %, and plays on.
target = duration / Gst.SECOND * 0.6
if not (first > 0.2 and target - 4.1 <= after <= target + 0.5 and later > after + 0.5):
    sys.exit(1)
