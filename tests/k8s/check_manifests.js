#!/usr/bin/env node
// CTest k8s_manifests: examples/k8s/cluster.yaml against the Kubernetes API
// schema (kubernetes-models: each document built with its class and
// validated, unknown fields refused too; the other examples/k8s/*.yaml as
// well) and against the cluster-run contract (manifest_contract.js); its
// ConfigMap's job parsed by the fiokit under test (--parse-only). Then broken
// copies (a misspelt enum or field, a string where an integer goes, bad YAML,
// N out of step, the Service renamed, a literal token, no storage class, no
// anti-affinity, a stale job text) must each be refused, by the layer and
// with the field expected, so the check cannot pass vacuously.
// usage: check_manifests.js REPO WORK_DIR FIOKIT_BIN
// exit 0 all as expected, 1 a failure, 77 skipped (the npm registry is not
// reachable and the packages are not installed yet; the reason printed).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");
const { installDeps, Unreachable } = require("./npm_deps");
const { parseManifests, validateObjects } = require("./manifest_schema");
const { checkContract } = require("./manifest_contract");

const PLACEHOLDER = "CHANGE-ME-openssl-rand-hex-32";

function check(req, text, jobFio) {
  const { objects, errors } = parseManifests(req, text);
  const schema = errors.concat(validateObjects(req, objects));
  const contract = schema.length ? [] : checkContract(objects, jobFio);
  return { objects, schema, contract };
}

// Each broken copy: a change of the text (what a user would mistype) or of
// the parsed objects, the layer that must refuse it and what the error names.
const BROKEN = [
  ["completionMode misspelt", "schema", /completionMode must be equal to one of the allowed values/,
    { text: ["completionMode: Indexed", "completionMode: Indexd"] }],
  ["a string where an integer goes", "schema", /completions must be integer/,
    { text: ["completions: 4 ", 'completions: "4" '] }],
  ["restartPolicy misspelt", "schema", /restartPolicy must be equal to one of the allowed values/,
    { text: ["restartPolicy: Never", "restartPolicy: never"] }],
  ["a container without a name", "schema", /containers\/0 must have required property name/,
    { text: ["- name: member\n", "- nameX: member\n"] }],
  ["a misspelt field name", "schema", /data\/spec\/ttlSecondAfterFinished is not a field of the API schema/,
    { text: ["ttlSecondsAfterFinished: 3600", "ttlSecondAfterFinished: 3600"] }],
  ["a field at the wrong level", "schema", /data\/spec\/restartPolicy is not a field of the API schema/,
    { text: ["  completionMode: Indexed\n", "  completionMode: Indexed\n  restartPolicy: Never\n"] }],
  ["not YAML", "schema", /not valid YAML/, { text: ["  completionMode: Indexed\n", "  completionMode: Indexed\n completions: [\n"] }],
  ["parallelism != completions", "contract", /parallelism 3 != completions 4/, { text: ["parallelism: 4 ", "parallelism: 3 "] }],
  ["FIOKIT_CLUSTER_SIZE != N", "contract", /FIOKIT_CLUSTER_SIZE "3" != completions 4/, { text: ['value: "4"  ', 'value: "3"  '] }],
  ["the coordinator is not the Service", "contract", /FIOKIT_COORDINATOR host fiokit-coord is not the Service/,
    { text: ["value: http://fiokit-serve:8000", "value: http://fiokit-coord:8000"] }],
  ["a literal token in the Job", "contract", /Job env FIOKIT_INGEST_TOKEN: want valueFrom.secretKeyRef/,
    { obj: (o) => { const e = envNamed(o, "Job", "FIOKIT_INGEST_TOKEN"); delete e.valueFrom; e.value = "t0ken"; } }],
  ["the serve token from another Secret", "contract", /Deployment env FIOKIT_INGEST_TOKEN: secretKeyRef other\/token/,
    { obj: (o) => { envNamed(o, "Deployment", "FIOKIT_INGEST_TOKEN").valueFrom.secretKeyRef.name = "other"; } }],
  ["no storage class", "contract", /storageClassName/, { text: ["storageClassName: standard", "# storageClassName: standard"] }],
  ["pod affinity instead of anti-affinity", "contract", /no preferred podAntiAffinity/, { text: ["podAntiAffinity:", "podAffinity:"] }],
  ["FailIndex without backoffLimitPerIndex", "contract", /action FailIndex needs spec.backoffLimitPerIndex/,
    { text: ["  backoffLimitPerIndex: 0\n", "  backoffLimit: 0\n"] }],
  ["exit codes out of order", "contract", /onExitCodes.values \[2,1\]: want ascending/, { text: ["values: [1, 2]", "values: [2, 1]"] }],
  ["not Indexed", "contract", /completionMode: "NonIndexed", want "Indexed"/, { text: ["completionMode: Indexed", "completionMode: NonIndexed"] }],
  ["a stale job text", "contract", /job.fio differs from examples\/k8s\/job.fio/, { text: ["    iodepth=32\n", "    iodepth=16\n"] }],
  ["the job writes off the volume", "contract", /directory=\/tmp is not on the ephemeral volume/,
    { job: ["directory=/bench", "directory=/tmp"], text: ["    directory=/bench", "    directory=/tmp"] }],
];

function envNamed(objects, kind, name) {
  const o = objects.find((x) => x.kind === kind);
  return o.spec.template.spec.containers[0].env.find((e) => e.name === name);
}

function replaceOnce(s, [from, to], what) {
  const at = s.indexOf(from);
  if (at < 0 || s.indexOf(from, at + 1) >= 0) throw new Error(`broken copy "${what}": ${JSON.stringify(from)} is not in the file exactly once`);
  return s.slice(0, at) + to + s.slice(at + from.length);
}

function main() {
  const [repo, workDir, fiokit] = process.argv.slice(2);
  if (!fiokit) { console.error("usage: check_manifests.js REPO WORK_DIR FIOKIT_BIN"); return 2; }
  let req;
  try {
    req = installDeps(__dirname, workDir);
  } catch (e) {
    if (e instanceof Unreachable) { console.log(`SKIP k8s_manifests: ${e.message}`); return 77; }
    throw e;
  }
  const file = path.join(repo, "examples", "k8s", "cluster.yaml");
  const text = fs.readFileSync(file, "utf8");
  const jobFio = fs.readFileSync(path.join(repo, "examples", "k8s", "job.fio"), "utf8");
  let failures = 0;
  const bad = (msg) => { failures++; console.log(`FAIL ${msg}`); };

  const good = check(req, text, jobFio);
  for (const e of good.schema.concat(good.contract)) bad(`${file}: ${e}`);
  if (!good.schema.length) {
    console.log(`ok   ${good.objects.length} documents valid against the Kubernetes API schema: ${good.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
    if (!good.contract.length) console.log("ok   the cluster-run contract holds (Indexed, N, Service, token, ephemeral volume, anti-affinity, job text)");
  }
  // The other manifests of examples/k8s (the single-PVC benchmark): the schema alone.
  const dir = path.dirname(file);
  for (const other of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== "cluster.yaml").sort()) {
    const r = parseManifests(req, fs.readFileSync(path.join(dir, other), "utf8"));
    const errs = r.errors.concat(validateObjects(req, r.objects));
    for (const e of errs) bad(`${path.join(dir, other)}: ${e}`);
    if (!errs.length) console.log(`ok   ${other}: ${r.objects.length} documents valid against the Kubernetes API schema`);
  }
  const n = text.split(PLACEHOLDER).length - 1;
  if (n !== 1) bad(`the token placeholder ${PLACEHOLDER} occurs ${n} times (the README's sed line replaces it; want once, in the Secret)`);

  // The job the ConfigMap carries, parsed by the fiokit under test.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fiokit-k8s-"));
  try {
    const job = path.join(tmp, "job.fio");
    fs.writeFileSync(job, good.objects.find((o) => o.kind === "ConfigMap").data["job.fio"]);
    const r = spawnSync(fiokit, ["run", "--parse-only", job], { encoding: "utf8", timeout: 30000 });
    if (r.status !== 0) bad(`fiokit run --parse-only on the ConfigMap's job.fio: exit ${r.status}\n${r.stderr}`);
    else console.log("ok   fiokit run --parse-only accepts the ConfigMap's job.fio");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  for (const [what, layer, want, change] of BROKEN) {
    let copy = text;
    let job = jobFio;
    try {
      if (change.text) copy = replaceOnce(copy, change.text, what);
      if (change.job) job = replaceOnce(job, change.job, what);
    } catch (e) { bad(e.message); continue; }
    let res;
    if (change.obj) {
      res = check(req, copy, job);
      change.obj(res.objects);
      res.contract = checkContract(res.objects, job);
    } else {
      res = check(req, copy, job);
    }
    const errs = res[layer];
    const other = layer === "schema" ? res.contract : res.schema;
    if (!errs.some((e) => want.test(e))) bad(`broken copy "${what}": the ${layer} check did not refuse it with ${want} (got: ${errs.concat(other).join("; ") || "no error"})`);
    else if (layer === "contract" && other.length) bad(`broken copy "${what}": schema errors too, so the contract check was not what refused it: ${other.join("; ")}`);
    else console.log(`ok   broken copy "${what}" refused by the ${layer} check: ${errs.find((e) => want.test(e))}`);
  }
  console.log(failures ? `${failures} failure(s)` : "all manifest checks passed");
  return failures ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.log(`FAIL ${e.stack || e}`);
  process.exitCode = 1;
}
