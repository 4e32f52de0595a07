// The app's router: paths to pages, links that stay in the app, and what a page undoes when
// the user leaves it.
export const main = document.getElementById("main");
const cleanup = [];
let routes = [];
let fallback = null;

// Runs fn when the user leaves the current page.
export function onLeave(fn) {
  cleanup.push(fn);
}

export function go(path, replace = false) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  route();
}

// routes: [[RegExp, async (match) => …]]; onError(e, retry) shows what went wrong.
export function startRouter(table, { onError, before }) {
  routes = table;
  fallback = { onError, before };
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a[data-link]");
    if (a && !e.ctrlKey && !e.metaKey && e.button === 0) {
      e.preventDefault();
      go(a.getAttribute("href"));
    }
  });
  window.addEventListener("popstate", route);
  route();
}

async function route() {
  for (const undo of cleanup.splice(0)) undo();
  const path = location.pathname;
  try {
    fallback.before(path);
    for (const [pattern, render] of routes) {
      const m = path.match(pattern);
      if (m) return await render(m);
    }
  } catch (e) {
    fallback.onError(e, route);
  }
}
