// The player: direct play with <video src>, HLS with hls.js (or the browser's own HLS),
// progress saved as it plays, visible loading and error states, and keyboard control.
import { api } from "/api.js";
import { deviceId, nextSeq } from "/device.js";
import { clock } from "/format.js";
import { el } from "/dom.js";
import { SEGMENTS, deviceProfile } from "/profile.js";

const SAVE_EVERY_MS = 10000;
// encoders_busy answers Retry-After: 5; a minute of retries, then the error.
const BUSY_WAIT_MS = 5000;
const BUSY_RETRIES = 12;
const UP_NEXT_S = 15;
// A Skip button shows this long from the start of an intro, credits or recap, then stays
// in the controls only.
const SKIP_SHOWN_S = 8;
const SKIP_LABELS = { intro: "Skip intro", credits: "Skip credits", recap: "Skip recap" };
// A transcode that stalls this long while playing goes down a rung (see pickLevel()).
const STALL_STEP_DOWN_MS = 2000;
const SEGMENT_END_S = 0.1;

export class Player {
  constructor(root, fileId, start, { back, next }) {
    this.fileId = fileId;
    this.startAt = start;
    this.back = back;
    this.next = next;
    this.hls = null;
    this.session = null;
    this.method = null;
    this.networkRetries = 0;
    this.busyRetries = 0;
    this.mediaRecovered = false;
    this.clientErrors = []; // codecs this browser failed to decode, sent with each plan
    this.plan = null;
    this.timers = [];
    this.video = el("video", { playsinline: true, "aria-label": "Video" });
    this.overlay = el("div", { class: "overlay", "aria-live": "polite" });
    this.build(root);
    this.onKey = (e) => this.key(e);
    // A tab closed or left: the position is saved and the encoder freed now, not at the
    // session's idle timeout. A page kept in the back-forward cache keeps its session.
    this.onHide = (e) => {
      this.beacon();
      if (!e.persisted) this.endSession();
    };
    document.addEventListener("keydown", this.onKey);
    window.addEventListener("pagehide", this.onHide);
  }

  build(root) {
    const v = this.video;
    this.playBtn = el("button", { "aria-label": "Play", onclick: () => this.toggle() }, "▶");
    this.seek = el("input", {
      type: "range",
      min: 0,
      max: 1000,
      value: 0,
      step: 1,
      "aria-label": "Seek",
      oninput: () => {
        v.currentTime = (this.seek.value / 1000) * this.duration();
      },
    });
    this.buffered = el("div", { class: "buffered" });
    this.chapterMarks = el("div", { class: "chapters" });
    this.previewImage = el("div", { class: "image" });
    this.previewText = el("span");
    this.preview = el("div", { class: "preview", hidden: true, "aria-hidden": "true" }, [
      this.previewImage,
      this.previewText,
    ]);
    this.time = el("span", { class: "time", "aria-live": "off" }, "0:00 / 0:00");
    this.muteBtn = el(
      "button",
      {
        class: "secondary",
        "aria-label": "Mute",
        onclick: () => {
          v.muted = !v.muted;
        },
      },
      "Mute",
    );
    this.volume = el("input", {
      type: "range",
      min: 0,
      max: 1,
      step: 0.05,
      value: 1,
      "aria-label": "Volume",
      oninput: () => {
        v.volume = +this.volume.value;
        v.muted = false;
      },
    });
    this.speed = el(
      "select",
      {
        "aria-label": "Speed",
        onchange: () => {
          v.playbackRate = +this.speed.value;
        },
      },
      [0.5, 0.75, 1, 1.25, 1.5, 2].map((s) =>
        el("option", { value: s, selected: s === 1 }, `${s}×`),
      ),
    );
    this.quality = el("select", {
      "aria-label": "Quality",
      hidden: true,
      onchange: () => {
        if (this.hls) this.pickLevel(+this.quality.value);
      },
    });
    this.audio = el("select", {
      "aria-label": "Audio track",
      hidden: true,
      onchange: () => this.switchAudio(+this.audio.value),
    });
    this.subs = el("select", {
      "aria-label": "Subtitles",
      hidden: true,
      onchange: () => this.showSubtitle(+this.subs.value, true),
    });
    // How subtitles look, kept in this browser: a size and a background.
    const style = JSON.parse(localStorage.getItem("reel-subtitle-style") || "{}");
    const styleSelect = (name, label, options) =>
      el(
        "select",
        {
          "aria-label": label,
          onchange: (e) => {
            style[name] = e.target.value;
            localStorage.setItem("reel-subtitle-style", JSON.stringify(style));
            this.styleSubtitles(style);
          },
        },
        ...options.map(([v, text]) =>
          el("option", { value: v, selected: v === (style[name] || options[1][0]) }, text),
        ),
      );
    this.subStyle = el(
      "span",
      { class: "substyle", hidden: true },
      styleSelect("size", "Subtitle size", [
        ["small", "Small text"],
        ["medium", "Medium text"],
        ["large", "Large text"],
      ]),
      styleSelect("background", "Subtitle background", [
        ["none", "No background"],
        ["box", "Dark box"],
      ]),
    );
    this.styleSubtitles(style);
    const fs = el(
      "button",
      { class: "secondary", "aria-label": "Full screen", onclick: () => this.fullscreen() },
      "Full screen",
    );
    const pip = el(
      "button",
      {
        class: "secondary",
        "aria-label": "Picture in picture",
        hidden: !document.pictureInPictureEnabled,
        onclick: () =>
          (document.pictureInPictureElement
            ? document.exitPictureInPicture()
            : v.requestPictureInPicture()
          ).catch(() => {}),
      },
      "PiP",
    );
    this.nextBtn = this.next
      ? el(
          "button",
          {
            class: "secondary",
            "aria-label": `Next episode: ${this.next.title}`,
            onclick: () => this.next.play(),
          },
          "Next",
        )
      : null;
    this.skipBtn = el("button", { class: "skip", hidden: true, onclick: () => this.skip() });
    this.skipCtl = el("button", { class: "secondary", hidden: true, onclick: () => this.skip() });
    const backBtn = el(
      "button",
      { class: "secondary", "aria-label": "Back", onclick: () => this.back() },
      "Back",
    );
    this.el = el(
      "section",
      { class: "player", "aria-label": "Player" },
      el(
        "div",
        { style: "position:relative;flex:1;display:flex;min-height:0" },
        v,
        this.overlay,
        this.skipBtn,
      ),
      el(
        "div",
        { class: "controls" },
        backBtn,
        this.playBtn,
        el(
          "div",
          {
            class: "seek",
            onpointermove: (e) => this.showPreview(e),
            onpointerleave: () => {
              this.preview.hidden = true;
            },
          },
          this.buffered,
          this.chapterMarks,
          this.seek,
          this.preview,
        ),
        this.time,
        this.muteBtn,
        this.volume,
        this.speed,
        this.quality,
        this.audio,
        this.subs,
        this.subStyle,
        this.skipCtl,
        this.nextBtn,
        pip,
        fs,
      ),
    );
    root.replaceChildren(this.el);

    v.addEventListener("waiting", () => {
      this.loading(true);
      this.watchStall();
    });
    v.addEventListener("seeking", () => {
      this.seekWait = true;
      this.skipSegmentEnd();
    });
    v.addEventListener("loadstart", () => this.loading(true));
    v.addEventListener("playing", () => {
      this.loading(false);
      this.seekWait = false;
      clearTimeout(this.stallTimer);
      this.networkRetries = 0;
      this.busyRetries = 0;
      this.overlay.querySelector(".message[role=status]")?.remove();
    });
    v.addEventListener("canplay", () => this.loading(false));
    v.addEventListener("play", () => {
      this.playBtn.textContent = "❚❚";
      this.playBtn.setAttribute("aria-label", "Pause");
    });
    v.addEventListener("pause", () => {
      this.playBtn.textContent = "▶";
      this.playBtn.setAttribute("aria-label", "Play");
      if (!v.ended) this.save("pause");
    });
    v.addEventListener("seeked", () => this.save("seek"));
    v.addEventListener("ended", () => {
      this.save("ended");
      if (this.next && !this.advancing) {
        this.advancing = true;
        this.next.play();
      }
    });
    v.addEventListener("timeupdate", () => this.tick());
    v.addEventListener("progress", () => this.drawBuffered());
    v.addEventListener("volumechange", () => {
      this.muteBtn.textContent = v.muted ? "Unmute" : "Mute";
    });
    v.addEventListener("error", () => this.mediaError());
    this.timers.push(
      setInterval(() => {
        if (!v.paused && !v.ended) this.save("timeupdate");
      }, SAVE_EVERY_MS),
    );
  }

  duration() {
    return this.knownDuration || this.video.duration || 0;
  }

  loading(on) {
    if (on && !this.overlay.querySelector(".message")) {
      this.overlay.replaceChildren(
        el("div", { class: "spinner", role: "status", "aria-label": "Loading" }),
      );
    } else if (!on) {
      this.overlay.querySelector(".spinner")?.remove();
    }
  }

  // A passing word over the video (role=status), gone when playback starts.
  notice(text) {
    this.overlay.querySelector(".message[role=status]")?.remove();
    this.overlay.append(el("div", { class: "message", role: "status" }, text));
  }

  showError(message) {
    this.loading(false);
    this.video.pause();
    const retry = el("button", { onclick: () => this.retry() }, "Retry");
    this.overlay.replaceChildren(
      el(
        "div",
        { class: "message", role: "alert" },
        el("p", {}, message),
        retry,
        " ",
        el("button", { class: "secondary", onclick: () => this.back() }, "Back"),
      ),
    );
    retry.focus();
  }

  async retry() {
    this.overlay.replaceChildren();
    this.startAt = this.video.currentTime || this.startAt;
    this.teardown();
    await this.start_();
  }

  // Asks the server how to play this file here, then plays it.
  async start() {
    this.loading(true);
    try {
      await this.start_();
    } catch (e) {
      this.showError(`Cannot start playback: ${e.message}`);
    }
  }

  async start_() {
    this.loading(true);
    this.mediaRecovered = false;
    const plan = await api(`/api/v1/playback/${this.fileId}`, {
      method: "POST",
      body: {
        profile: deviceProfile(),
        segments: SEGMENTS,
        device_id: deviceId(),
        start: this.startAt,
        client_errors: this.clientErrors,
        audio_stream: this.audioStream,
        subtitle_stream: this.subtitleStream,
      },
    });
    this.plan = plan;
    this.method = plan.method;
    this.knownDuration = plan.duration;
    const v = this.video;
    if (plan.method === "direct_play") {
      v.src = plan.url;
      v.addEventListener(
        "loadedmetadata",
        () => {
          if (this.startAt) v.currentTime = this.startAt;
        },
        { once: true },
      );
    } else {
      this.session = plan.session_id;
      if (window.Hls && Hls.isSupported()) this.attachHls(plan.url);
      else if (v.canPlayType("application/vnd.apple.mpegurl"))
        v.src = `${plan.url}#t=${this.startAt}`;
      else throw new Error("this browser cannot play HLS");
    }
    this.el.dataset.method = plan.method;
    this.setAudio(plan.audio || []);
    this.setSubtitles(plan.subtitles || []);
    this.setChapters(plan.chapters || []);
    this.trickplay = plan.trickplay;
    this.segments = plan.media_segments || [];
    if (this.switched) this.remember();
    this.switched = false;
    await v.play().catch(() => {}); // autoplay may need a click; the Play button is there
  }

  // Every audio track of the file, from the decision. The server plays one per plan (HLS
  // renditions carry it, and a browser plays only a file's first track directly), so
  // another is a new plan from the current position: a remux or transcode with that track.
  setAudio(list) {
    const label = (a) =>
      [a.title || a.language || "Unknown", a.codec.toUpperCase(), a.channels && `${a.channels} ch`]
        .filter(Boolean)
        .join(", ");
    this.audio.replaceChildren(
      ...list.map((a) => el("option", { value: a.index, selected: a.selected }, label(a))),
    );
    this.audio.hidden = list.length < 2;
  }

  switchAudio(index) {
    this.audioStream = index;
    this.replan("audio");
  }

  // A new plan from the current position, for a choice that the server makes: another audio
  // track, or image subtitles drawn into the video (or no longer).
  replan(what) {
    this.switched = true; // remembered once the new plan says what plays
    this.startAt = this.video.currentTime || this.startAt;
    this.teardown();
    this.endSession(); // its encoder makes the old choice
    this.start_().catch((e) => this.showError(`Cannot switch the ${what}: ${e.message}`));
  }

  // Text subtitles are WebVTT files the server makes, one <track> each: the video's own
  // clock places their cues in every play method, after seeks too. Image subtitles (PGS,
  // DVD) are burnt into the video by a transcode. Forced subtitles in the browser's
  // language show at once; the others wait to be chosen. A new plan (a retry, a fallback)
  // keeps the choice.
  setSubtitles(list) {
    const v = this.video;
    const was = this.subs.value !== "" ? this.subtitles?.[+this.subs.value]?.index : undefined;
    v.querySelectorAll("track").forEach((t) => t.remove());
    this.subtitles = list.filter((s) => s.method === "vtt" || s.method === "burn_in");
    const label = (s) =>
      [
        s.title || s.language || "Unknown",
        s.forced && "forced",
        s.sdh && "SDH",
        s.method === "burn_in" && "image",
      ]
        .filter(Boolean)
        .join(", ");
    this.subs.replaceChildren(
      el("option", { value: -1 }, "Subtitles off"),
      ...this.subtitles.map((s, i) => el("option", { value: i }, label(s))),
    );
    // Kept by element: hls.js adds text tracks of its own for HLS subtitle renditions.
    this.trackEls = this.subtitles.map(
      (s) =>
        s.method === "vtt" &&
        el("track", { kind: "subtitles", src: s.url, srclang: s.language, label: label(s) }),
    );
    v.append(...this.trackEls.filter(Boolean));
    this.subs.hidden = this.subtitles.length === 0;
    this.subStyle.hidden = this.subs.hidden;
    // What the plan burns in; else what was shown; else the server's pick, by the user's
    // preferences and what they chose in this show.
    const burnt = this.plan.streams?.subtitle?.index;
    const index = burnt ?? (this.subtitleStream === -1 ? -1 : was);
    const pick =
      index !== undefined
        ? this.subtitles.findIndex((s) => s.index === index)
        : this.subtitles.findIndex((s) => s.selected);
    this.showSubtitle(pick);
  }

  styleSubtitles(style) {
    this.video.classList.remove("subs-small", "subs-medium", "subs-large", "subs-none", "subs-box");
    this.video.classList.add(`subs-${style.size || "medium"}`, `subs-${style.background || "box"}`);
  }

  showSubtitle(i, chosen = false) {
    const s = this.subtitles[i];
    const burnt = this.plan?.streams?.subtitle?.index;
    this.subs.value = String(i);
    if (chosen && (s?.method === "burn_in" || burnt !== undefined) && s?.index !== burnt) {
      this.subtitleStream = s ? s.index : -1;
      this.replan("subtitles");
      return;
    }
    this.trackEls.forEach((t, k) => t && (t.track.mode = k === i ? "showing" : "disabled"));
    if (chosen) this.remember();
  }

  // A choice made in an episode is kept for the next episodes of its show.
  remember() {
    const audio = (this.plan?.audio || []).find((a) => a.selected);
    const subs = this.subtitles?.[+this.subs.value];
    api(`/api/v1/progress/${this.fileId}/choices`, {
      method: "PUT",
      body: { audio_language: audio?.language || "", subtitle_language: subs?.language || "" },
    }).catch(() => {}); // a lost choice costs the next episode its default, nothing more
  }

  // In a transcode a fragment comes as fast as the encoder makes it: hls.js's bandwidth
  // estimate measures the encoder, so its ABR drifts down and up, and every switch starts
  // another encoder. The server lists only the rungs this machine encodes faster than real
  // time, best first, so there "Auto" plays the best, and steps down a rung when playback
  // stalls for long (the network or the machine cannot keep up; see watchStall()).
  pickLevel(level) {
    const hls = this.hls;
    this.stepDown = level === -1 && this.method === "transcode";
    if (this.stepDown) hls.loadLevel = hls.levels.length - 1;
    else hls.currentLevel = level;
  }

  // A seek into the last tenth of a second of a transcoded segment goes to the next one's
  // start instead: the tenth shows no different, and an encoder would make the whole
  // segment for it before the next one.
  skipSegmentEnd() {
    const hls = this.hls;
    if (!hls || this.method !== "transcode") return;
    const t = this.video.currentTime;
    const frags = hls.levels[hls.loadLevel]?.details?.fragments || [];
    const f = frags.find((f) => f.start <= t && t < f.start + f.duration);
    if (f && f.start + f.duration - t < SEGMENT_END_S && f !== frags[frags.length - 1])
      this.video.currentTime = f.start + f.duration + 0.001;
  }

  watchStall() {
    clearTimeout(this.stallTimer);
    if (!this.hls || !this.stepDown || this.seekWait) return;
    this.stallTimer = setTimeout(() => {
      const hls = this.hls;
      if (hls && this.video.readyState < 3 && hls.loadLevel > 0)
        hls.nextLoadLevel = hls.loadLevel - 1;
    }, STALL_STEP_DOWN_MS);
  }

  attachHls(url) {
    // A few quick retries, then the player's own recovery: a server that is gone shows as
    // an error with Retry in seconds, not minutes.
    const retry = { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 2000 };
    const policy = {
      default: {
        maxTimeToFirstByteMs: 10000,
        maxLoadTimeMs: 30000,
        timeoutRetry: retry,
        errorRetry: retry,
      },
    };
    // Segments of a transcode come as fast as the encoder makes them, not as the network
    // could carry them: start on the manifest's first rendition (the server lists only
    // those this machine encodes faster than real time, best first), assume a fast network
    // until measured, and give a first segment after a seek time to come. MPEG-TS segments
    // are read as they arrive (progressive): the first one of an encoder run comes part by
    // part, as it is made, so playback starts after a part rather than a whole segment.
    // fMP4 is not: read that way, hls.js takes a fragment that starts more than its own
    // length into a segment for a new timeline (a remux of a 1 s GOP would break).
    const fragments = {
      default: { ...policy.default, maxTimeToFirstByteMs: 20000, maxLoadTimeMs: 40000 },
    };
    const hls = new Hls({
      startPosition: this.startAt,
      abrEwmaDefaultEstimate: 10e6,
      maxBufferLength: 30,
      progressive: this.plan.segments === "ts",
      fragLoadPolicy: fragments,
      playlistLoadPolicy: policy,
      manifestLoadPolicy: policy,
      // Subtitles come as <track>s (setSubtitles()); the HLS subtitle renditions are for
      // players without them. hls.js's own subtitle handling would also turn every other
      // text track off.
      subtitleTrackController: null,
      subtitleStreamController: null,
      timelineController: null,
    });
    this.hls = hls;
    hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => {
      this.quality.replaceChildren(
        el("option", { value: -1 }, "Auto"),
        ...data.levels.map((l, i) =>
          el("option", { value: i }, l.height ? `${l.height}p` : `Level ${i + 1}`),
        ),
      );
      this.quality.hidden = data.levels.length < 2;
      if (this.method === "transcode") this.pickLevel(-1);
    });
    hls.on(Hls.Events.ERROR, (_, data) => {
      if (!data.fatal) return;
      const status = data.response?.code;
      if (status === 502) {
        // The server could not make this stream from the file as planned (encoder_failed).
        this.fallback(`the server could not make the stream (${data.details})`);
      } else if (status === 503 && this.busyRetries++ < BUSY_RETRIES) {
        // Every encoder is busy (encoders_busy): wait as Retry-After says, then ask again.
        this.notice("The server is busy; retrying…");
        setTimeout(() => hls.startLoad(), BUSY_WAIT_MS);
      } else if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        if (this.networkRetries++ < 3)
          setTimeout(() => hls.startLoad(), 1000 * this.networkRetries);
        else this.showError("Playback stopped: the server cannot be reached.");
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !this.mediaRecovered) {
        // One recovery, as hls.js advises; a second media error is the codec's fault.
        this.mediaRecovered = true;
        hls.recoverMediaError();
      } else {
        this.fallback(data.details);
      }
    });
    hls.loadSource(url);
    hls.attachMedia(this.video);
  }

  mediaError() {
    const err = this.video.error;
    if (!err || this.hls) return;
    if (err.code === MediaError.MEDIA_ERR_NETWORK) this.showError("The server cannot be reached.");
    else this.fallback(err.message || `media error ${err.code}`);
  }

  // The browser turned a stream down: ask for a plan without the codec that most likely
  // failed (a copied audio stream first, then copied video), at the same position. Each
  // codec is tried once; then the error names what this browser could not play.
  fallback(detail) {
    const streams = this.plan?.streams || {};
    const suspects = [streams.audio, streams.video]
      .filter((s) => s && s.action === "copy" && !this.clientErrors.includes(s.codec))
      .map((s) => s.codec);
    if (!suspects.length) {
      const codecs = [streams.video?.codec, streams.audio?.codec].filter(Boolean).join(" and ");
      this.showError(`This browser cannot play this video (${codecs}: ${detail}).`);
      return;
    }
    this.clientErrors.push(suspects[0]);
    this.startAt = this.video.currentTime || this.startAt;
    this.teardown();
    this.overlay.replaceChildren();
    this.notice("Switching to a compatible format…");
    this.start_()
      .then(() => this.overlay.querySelector(".message[role=status]")?.remove())
      .catch((e) => this.showError(`Cannot start playback: ${e.message}`));
  }

  tick() {
    const v = this.video,
      d = this.duration();
    if (document.activeElement !== this.seek && d)
      this.seek.value = Math.round((v.currentTime / d) * 1000);
    this.time.textContent = `${clock(v.currentTime)} / ${clock(d)}`;
    this.showSkip(v.currentTime);
    this.upNext(v.currentTime, d);
  }

  // Inside an intro, credits or recap (the decision's segments: from chapters, or found by
  // comparing a season's episodes): a Skip button over the picture for its first seconds,
  // and in the controls throughout.
  showSkip(t) {
    const s = this.segments.find((g) => SKIP_LABELS[g.type] && g.start <= t && t < g.end - 0.5);
    this.skipping = s;
    this.skipCtl.hidden = !s;
    this.skipBtn.hidden = !s || t - s.start >= SKIP_SHOWN_S;
    if (s) this.skipBtn.textContent = this.skipCtl.textContent = SKIP_LABELS[s.type];
  }

  skip() {
    if (this.skipping) this.video.currentTime = this.skipping.end;
  }

  // The file's chapters as marks on the seek bar, named in their tooltips; Shift+←/→ jump
  // between them.
  setChapters(list) {
    this.chapters = list;
    const d = this.knownDuration;
    this.chapterMarks.replaceChildren(
      ...(d > 0 ? list : [])
        .filter((c) => c.start > 0)
        .map((c) =>
          el("span", {
            class: "chapter",
            style: `left:${(c.start / d) * 100}%`,
            title: c.title || "",
            onclick: () => {
              this.video.currentTime = c.start;
            },
          }),
        ),
    );
  }

  // Under the pointer on the seek bar: the frame of that time (the server's previews, when
  // made: a sheet of columns x rows, one every interval seconds), the time and the chapter.
  showPreview(e) {
    const d = this.duration();
    const bar = this.seek.getBoundingClientRect();
    if (!d || !bar.width) return;
    const f = Math.min(1, Math.max(0, (e.clientX - bar.left) / bar.width));
    const t = f * d;
    const tp = this.trickplay;
    this.previewImage.hidden = !tp;
    if (tp) {
      const last = Math.max(0, Math.ceil(d / tp.interval) - 1);
      const i = Math.min(last, Math.floor(t / tp.interval));
      const perSheet = tp.columns * tp.rows;
      const k = i % perSheet;
      const base = tp.url.slice(0, tp.url.lastIndexOf("/") + 1);
      Object.assign(this.previewImage.style, {
        width: `${tp.width}px`,
        height: `${tp.height}px`,
        backgroundImage: `url("${base}${Math.floor(i / perSheet)}.jpg")`,
        backgroundPosition: `-${(k % tp.columns) * tp.width}px -${Math.floor(k / tp.columns) * tp.height}px`,
      });
      this.previewImage.dataset.time = String(i * tp.interval);
    }
    const chapter = (this.chapters || []).filter((c) => c.start <= t).pop();
    this.previewText.textContent = [clock(t), chapter?.title].filter(Boolean).join(" · ");
    this.preview.hidden = false;
    // Kept over the bar: centred on the pointer, but not past either end.
    const half = this.preview.offsetWidth / 2;
    const x = Math.min(Math.max(f * bar.width, half), Math.max(half, bar.width - half));
    this.preview.style.left = `${x}px`;
  }

  // The start of the chapter after the current one, or (back) of the current one, or of
  // the one before when the current one began less than 3 s ago.
  chapterJump(forward) {
    const t = this.video.currentTime;
    const starts = (this.chapters || []).map((c) => c.start);
    const target = forward
      ? starts.find((s) => s > t + 0.5)
      : starts.filter((s) => s < t - 3).pop();
    if (target !== undefined) this.video.currentTime = target;
    else if (!forward) this.video.currentTime = 0;
  }

  drawBuffered() {
    const v = this.video,
      d = this.duration();
    if (!d) return;
    const parts = [];
    for (let i = 0; i < v.buffered.length; i++) {
      const a = (v.buffered.start(i) / d) * 100,
        b = (v.buffered.end(i) / d) * 100;
      parts.push(el("span", { style: `left:${a}%;width:${b - a}%` }));
    }
    this.buffered.replaceChildren(...parts);
  }

  // The next episode's card, from the credits (or 90 % in when none are known): it counts
  // down UP_NEXT_S of playing, then the next episode starts; Hide keeps this one going.
  upNext(t, d) {
    let box = this.overlay.querySelector(".upnext");
    if (!this.next || !(d > 0) || this.upNextHidden) return box?.remove();
    const credits = this.segments.find((g) => g.type === "credits" && g.start >= d / 2);
    const from = credits ? credits.start : d * 0.9;
    const left = Math.min(from + UP_NEXT_S, d) - t;
    if (t < from || !(left > 0)) {
      box?.remove();
      // Only after a countdown: a seek into the credits shows the card first.
      if (t >= from && this.countdown && !this.advancing) {
        this.advancing = true;
        this.next.play();
      }
      this.countdown = false;
      return;
    }
    this.countdown = true;
    if (!box) {
      box = el(
        "div",
        { class: "upnext", role: "status" },
        el("p", {}),
        el("button", { onclick: () => this.next.play() }, "Play next"),
        el(
          "button",
          {
            class: "secondary",
            onclick: () => {
              this.upNextHidden = true;
              this.upNext(t, d);
            },
          },
          "Hide",
        ),
      );
      this.overlay.append(box);
    }
    box.querySelector("p").textContent = `Up next: ${this.next.title} in ${Math.ceil(left)} s`;
  }

  body(event) {
    return { position: this.video.currentTime || 0, event, device_id: deviceId(), seq: nextSeq() };
  }

  save(event) {
    if (!this.method || this.video.readyState === 0) return;
    api(`/api/v1/progress/${this.fileId}`, { method: "PUT", body: this.body(event) }).catch(
      () => {},
    );
  }

  // On page hide only a beacon is sure to leave; it can only POST.
  beacon() {
    if (!this.method || this.video.readyState === 0) return;
    navigator.sendBeacon(
      `/api/v1/progress/${this.fileId}`,
      new Blob([JSON.stringify(this.body("stop"))], { type: "application/json" }),
    );
  }

  toggle() {
    if (this.video.paused) this.video.play().catch(() => {});
    else this.video.pause();
  }

  fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else this.el.requestFullscreen().catch(() => {});
  }

  key(e) {
    if (e.target.closest("input, select, textarea") && e.key !== "Escape") return;
    const v = this.video,
      d = this.duration();
    const k = e.key;
    if (k === " " || k === "k" || k === "K") this.toggle();
    else if ((k === "ArrowLeft" || k === "ArrowRight") && e.shiftKey && this.chapters?.length)
      this.chapterJump(k === "ArrowRight");
    else if (k === "ArrowLeft" || k === "j" || k === "J")
      v.currentTime = Math.max(0, v.currentTime - 10);
    else if (k === "ArrowRight" || k === "l" || k === "L")
      v.currentTime = Math.min(d, v.currentTime + 10);
    else if (k === "ArrowUp") v.volume = Math.min(1, v.volume + 0.1);
    else if (k === "ArrowDown") v.volume = Math.max(0, v.volume - 0.1);
    else if (k === "m" || k === "M") v.muted = !v.muted;
    else if ((k === "a" || k === "A") && this.audio.options.length > 1)
      this.switchAudio(
        +this.audio.options[(this.audio.selectedIndex + 1) % this.audio.options.length].value,
      );
    else if ((k === "c" || k === "C") && this.subtitles?.length)
      this.showSubtitle(((+this.subs.value + 2) % (this.subtitles.length + 1)) - 1, true);
    else if ((k === "s" || k === "S") && this.skipping) this.skip();
    else if (k === "f" || k === "F") this.fullscreen();
    else if (/^[0-9]$/.test(k) && d) v.currentTime = (d * +k) / 10;
    else return;
    e.preventDefault();
    this.volume.value = v.volume;
  }

  teardown() {
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.video.removeAttribute("src");
    this.video.load();
  }

  destroy() {
    this.beacon();
    this.timers.forEach(clearInterval);
    document.removeEventListener("keydown", this.onKey);
    window.removeEventListener("pagehide", this.onHide);
    this.teardown();
    this.endSession();
  }

  endSession() {
    if (this.session)
      fetch(`/api/v1/hls/${this.session}`, { method: "DELETE", keepalive: true }).catch(() => {});
    this.session = null;
  }
}
