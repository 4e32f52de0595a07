// The sign-in page.
import { api } from "/api.js";
import { el } from "/dom.js";
import { go, main } from "/router.js";
import { stopListening } from "/sync.js";

export function renderLogin() {
  stopListening();
  const error = el("p", { class: "error", role: "alert" });
  const form = el(
    "form",
    { class: "login", "aria-label": "Sign in" },
    el("h1", {}, "Sign in to Reel"),
    el(
      "label",
      {},
      "Username",
      el("input", { name: "username", autocomplete: "username", required: true }),
    ),
    el(
      "label",
      {},
      "Password",
      el("input", {
        name: "password",
        type: "password",
        autocomplete: "current-password",
        required: true,
      }),
    ),
    el("button", { type: "submit" }, "Sign in"),
    error,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const data = Object.fromEntries(new FormData(form));
    try {
      await api("/api/v1/auth/login", { method: "POST", body: data });
      go("/", true);
    } catch (err) {
      error.textContent = err.message;
    }
  });
  main.replaceChildren(form);
  form.querySelector("input").focus();
}
