// Starts and stops build/reel for the e2e tests: signs in as "admin" with password, no
// calibration encodes competing with the tests, and resolves once the server says where
// it listens.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function startServer({ binary, data, library, web, password, port = 0, env = {} }) {
  const args = ["--listen", `127.0.0.1:${port}`, "--data", data, "--library", library];
  if (web) args.push("--web", web);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: {
        ...process.env,
        REEL_ADMIN_USER: "admin",
        REEL_ADMIN_PASSWORD: password,
        REEL_HLS_CALIBRATE: "0",
        REEL_LOG_LEVEL: "warn",
        ...env,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.on("data", (d) => {
      const m = String(d).match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

// s3rver (npm) on a free port, with a bucket "reel" any origin may GET from; resolves to
// the child and the endpoint once it listens.
export function startS3rver(dir, root) {
  const cors =
    "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>" +
    "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cors.xml"), cors);
  const script = join(root, "node_modules", "s3rver", "bin", "s3rver.js");
  const args = [script, "-d", join(dir, "data"), "-a", "127.0.0.1", "-p", "0", "--silent"];
  args.push("--configure-bucket", "reel", join(dir, "cors.xml"));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.on("data", (d) => {
      const m = String(d).match(/listening on ([\d.]+:\d+)/);
      if (m) resolve({ child, endpoint: `http://${m[1]}` });
    });
    child.on("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
}

export function stopServer(child) {
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}
