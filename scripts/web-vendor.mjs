// Copies hls.js from node_modules (pinned in package-lock.json) into the served folder.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync(join(root, "web", "vendor"), { recursive: true });
copyFileSync(
  join(root, "node_modules", "hls.js", "dist", "hls.min.js"),
  join(root, "web", "vendor", "hls.min.js"),
);
