// The npm packages the manifest check needs (kubernetes-models, yaml), installed
// `npm ci`-style from tests/k8s/package-lock.json into a folder of the build
// tree, with npm's download cache beside it: pinned versions, the same tree on
// every machine, nothing written to the source tree or to ~/.npm. A second call
// with the same lock file installs nothing (a stamp holds the lock's sha256).
// When the registry cannot be reached the caller skips (exit 77) with the reason.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

// npm's own words for "the registry was not reached" (npm error codes and
// Node's socket errors), as opposed to a broken lock file or a full disk.
const NETWORK = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ESOCKETTIMEDOUT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|network request to .* failed|request to https?:\/\/\S+ failed)/;

class Unreachable extends Error {}

function sha256(file) {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

// Returns a `require` that resolves from the installed tree in `workDir`.
// Throws Unreachable (registry down, no cache) or Error (anything else).
function installDeps(srcDir, workDir) {
  const { createRequire } = require("module");
  fs.mkdirSync(workDir, { recursive: true });
  for (const f of ["package.json", "package-lock.json"]) {
    fs.copyFileSync(path.join(srcDir, f), path.join(workDir, f));
  }
  const want = sha256(path.join(workDir, "package-lock.json"));
  const stamp = path.join(workDir, "node_modules", ".fiokit-lock-sha256");
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8").trim() : "";
  if (have !== want) {
    const t0 = Date.now();
    const args = ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline",
      "--cache", path.join(workDir, "npm-cache"), "--fetch-retries", "2",
      "--fetch-retry-mintimeout", "1000", "--fetch-retry-maxtimeout", "5000", "--fetch-timeout", "30000"];
    const r = spawnSync("npm", args, { cwd: workDir, encoding: "utf8", timeout: 300000 });
    const out = `${r.stdout || ""}${r.stderr || ""}`;
    if (r.error) throw new Error(`npm ${args.join(" ")}: ${r.error.message}`);
    if (r.status !== 0) {
      const m = out.match(NETWORK);
      const tail = out.trim().split("\n").slice(-6).join("\n");
      if (m) throw new Unreachable(`the npm registry cannot be reached (${m[1] || m[0]}); npm ci said:\n${tail}`);
      throw new Error(`npm ci failed (exit ${r.status}) in ${workDir}:\n${tail}`);
    }
    fs.writeFileSync(stamp, want + "\n");
    console.log(`npm ci: installed the pinned packages into ${workDir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return createRequire(path.join(workDir, "package.json"));
}

module.exports = { installDeps, Unreachable };
