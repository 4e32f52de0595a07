// This browser as a device: its id, kept across reloads, and the sequence numbers of its
// progress saves.
// Sequence numbers rise with every save from this device, across reloads too.
let counter = 0;
export function nextSeq() {
  return Date.now() * 1000 + (counter++ % 1000);
}

export function deviceId() {
  let id = localStorage.getItem("reel-device");
  if (!id) {
    id = "web-" + crypto.getRandomValues(new Uint32Array(2)).join("-");
    localStorage.setItem("reel-device", id);
  }
  return id;
}
