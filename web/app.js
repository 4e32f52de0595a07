// Reel's web app: plain ES modules, no framework. Routes: /login, / (library),
// /item/:id (detail), /play/:fileId (player), /settings.
import { api, AuthError } from "/api.js";
import { renderDetail } from "/detail.js";
import { el } from "/dom.js";
import { renderLibrary } from "/library.js";
import { renderLogin } from "/login.js";
import { go, main, startRouter } from "/router.js";
import { renderSettings } from "/settings.js";
import { listen } from "/sync.js";
import { renderPlayer } from "/watch.js";

document.getElementById("signout").addEventListener("click", async () => {
  try {
    await api("/api/v1/auth/logout", { method: "POST" });
  } catch {
    /* signed out already */
  }
  go("/login");
});

startRouter(
  [
    [/^\/login$/, () => renderLogin()],
    [/^\/item\/(\d+)$/, (m) => renderDetail(+m[1])],
    [/^\/play\/(\d+)$/, (m) => renderPlayer(+m[1])],
    [/^\/settings$/, () => renderSettings()],
    [/^/, () => renderLibrary()],
  ],
  {
    before(path) {
      document.getElementById("bar").hidden = path === "/login" || path.startsWith("/play/");
      if (path !== "/login") listen();
    },
    onError(e, retry) {
      if (e instanceof AuthError) return go("/login", true);
      main.replaceChildren(
        el("p", { class: "error", role: "alert" }, `Something went wrong: ${e.message}`),
        el("button", { onclick: retry }, "Try again"),
      );
    },
  },
);
