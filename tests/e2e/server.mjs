// Starts and stops build/reel for the e2e tests: signs in as "admin" with password, no
// calibration encodes competing with the tests, and resolves once the server says where
// it listens.
import { spawn } from "node:child_process";

export function startServer({ binary, data, library, web, password, port = 0 }) {
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

export function stopServer(child) {
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}
