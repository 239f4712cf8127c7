// The cluster-run contract of examples/k8s/cluster.yaml, beyond what the API
// schema can say (docs/cluster-protocol.md): an Indexed Job whose completions,
// parallelism and FIOKIT_CLUSTER_SIZE agree; FIOKIT_COORDINATOR pointing at the
// Service (named fiokit-serve) that selects the coordinator's pods; the ingest
// token taken from the one Secret by both sides; one generic ephemeral volume
// per member, from a named storage class, where the job writes; members spread
// over nodes; the job file the ConfigMap carries equal to examples/k8s/job.fio;
// and the API server's podFailurePolicy rules the OpenAPI schema cannot say.
// checkContract(objects, jobFio) returns a list of errors naming each field.
"use strict";

const KINDS = ["Secret", "PersistentVolumeClaim", "Deployment", "Service", "ConfigMap", "Job"];
const RUN_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const get = (obj, dotted) => dotted.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
const envOf = (c) => Object.fromEntries(((c && c.env) || []).map((e) => [e.name, e]));
const matches = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => (labels || {})[k] === v);

function checkContract(objects, jobFio) {
  const errors = [];
  const fail = (msg) => errors.push(msg);
  const byKind = {};
  for (const o of objects) (byKind[o.kind] = byKind[o.kind] || []).push(o);
  for (const k of KINDS) {
    if ((byKind[k] || []).length !== 1) fail(`want exactly one ${k}, found ${(byKind[k] || []).length}`);
  }
  if (errors.length) return errors;
  const [secret, pvc, deploy, svc, cm, job] = KINDS.map((k) => byKind[k][0]);

  // The Job: Indexed, N everywhere the same.
  const js = job.spec || {};
  if (js.completionMode !== "Indexed") fail(`Job.spec.completionMode: ${JSON.stringify(js.completionMode)}, want "Indexed"`);
  if (!Number.isInteger(js.completions) || js.completions < 1 || js.completions > 1024) {
    fail(`Job.spec.completions: ${JSON.stringify(js.completions)}, want N in 1..1024`);
  }
  if (js.parallelism !== js.completions) fail(`Job.spec.parallelism ${js.parallelism} != completions ${js.completions}: members wait for each other`);
  const pod = get(job, "spec.template.spec") || {};
  const members = pod.containers || [];
  if (members.length !== 1) fail(`Job: want one container (the member), found ${members.length}`);
  const member = members[0] || {};
  const env = envOf(member);
  const size = get(env, "FIOKIT_CLUSTER_SIZE.value");
  if (size !== String(js.completions)) fail(`Job env FIOKIT_CLUSTER_SIZE ${JSON.stringify(size)} != completions ${js.completions}`);
  const run = get(env, "FIOKIT_CLUSTER_RUN.value");
  if (!RUN_NAME.test(run || "")) fail(`Job env FIOKIT_CLUSTER_RUN ${JSON.stringify(run)}: want [A-Za-z0-9._-]{1,64}`);
  if (pod.restartPolicy !== "Never") fail(`Job pod restartPolicy ${JSON.stringify(pod.restartPolicy)}: want Never (a benchmark is not rerun in place)`);
  if (js.backoffLimit === undefined && js.backoffLimitPerIndex === undefined) fail("Job.spec: no backoffLimit or backoffLimitPerIndex");
  if (!get(js, "podFailurePolicy.rules.length")) fail("Job.spec.podFailurePolicy: no rules");
  if (!Number.isInteger(js.ttlSecondsAfterFinished)) fail("Job.spec.ttlSecondsAfterFinished: not set");
  // The API server's own rules for podFailurePolicy, which the OpenAPI schema cannot say.
  for (const [i, rule] of (get(js, "podFailurePolicy.rules") || []).entries()) {
    if (rule.action === "FailIndex" && js.backoffLimitPerIndex === undefined) {
      fail(`Job.spec.podFailurePolicy.rules[${i}]: action FailIndex needs spec.backoffLimitPerIndex`);
    }
    const v = get(rule, "onExitCodes.values") || [];
    if (v.some((x, k) => k > 0 && x <= v[k - 1]) || (get(rule, "onExitCodes.operator") === "In" && v.includes(0))) {
      fail(`Job.spec.podFailurePolicy.rules[${i}].onExitCodes.values ${JSON.stringify(v)}: want ascending, no repeats, no 0 with In`);
    }
  }
  if (!/(^|\/)fiokit-tool(:|@|$)/.test(member.image || "")) fail(`Job container image ${JSON.stringify(member.image)}: want the fiokit-tool image`);
  if (!get(member, "resources.requests.cpu") || !get(member, "resources.requests.memory")) fail("Job container: no cpu/memory requests");

  // The coordinator's address is the Service, which selects the Deployment's pods.
  if (svc.metadata.name !== "fiokit-serve") fail(`Service name ${JSON.stringify(svc.metadata.name)}: the protocol names it fiokit-serve`);
  const coord = get(env, "FIOKIT_COORDINATOR.value") || "";
  let url = null;
  try { url = new URL(coord); } catch (e) { fail(`Job env FIOKIT_COORDINATOR ${JSON.stringify(coord)}: not a URL`); }
  const ports = (get(svc, "spec.ports") || []).map((p) => p.port);
  if (url) {
    if (url.hostname !== svc.metadata.name) fail(`FIOKIT_COORDINATOR host ${url.hostname} is not the Service ${svc.metadata.name}`);
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    if (!ports.includes(port)) fail(`FIOKIT_COORDINATOR port ${port} is not a port of Service ${svc.metadata.name} (${ports.join(", ")})`);
  }
  if (!ports.includes(8000)) fail(`Service ${svc.metadata.name}: no port 8000`);
  if ((get(svc, "spec.type") || "ClusterIP") !== "ClusterIP") fail(`Service type ${svc.spec.type}: want ClusterIP`);
  const servePod = get(deploy, "spec.template") || {};
  const podLabels = get(servePod, "metadata.labels");
  if (!matches(get(svc, "spec.selector"), podLabels)) fail("Service.spec.selector does not select the Deployment's pods");
  if (!matches(get(deploy, "spec.selector.matchLabels"), podLabels)) fail("Deployment.spec.selector does not match its pod labels");
  if (get(deploy, "spec.replicas") !== 1) fail("Deployment.spec.replicas: want 1 (one coordinator)");
  const serve = (get(servePod, "spec.containers") || [])[0] || {};
  if (!/(^|\/)fiokit-serve(:|@|$)/.test(serve.image || "")) fail(`Deployment image ${JSON.stringify(serve.image)}: want the fiokit-serve image`);
  const named = Object.fromEntries((serve.ports || []).map((p) => [p.name, p.containerPort]));
  for (const probe of ["readinessProbe", "livenessProbe"]) {
    const h = get(serve, `${probe}.httpGet`) || {};
    const port = typeof h.port === "string" ? named[h.port] : h.port;
    if (h.path !== "/healthz" || port !== 8000) fail(`Deployment ${probe}: want httpGet /healthz on 8000`);
  }
  const sv = get(svc, "spec.ports.0.targetPort");
  if ((typeof sv === "string" ? named[sv] : sv) !== 8000) fail("Service targetPort does not reach the container's port 8000");
  for (const k of ["requests", "limits"]) {
    if (!get(serve, `resources.${k}.cpu`) || !get(serve, `resources.${k}.memory`)) fail(`Deployment container: no cpu/memory ${k}`);
  }
  const results = (get(servePod, "spec.volumes") || []).find((v) => get(v, "persistentVolumeClaim.claimName") === pvc.metadata.name);
  const mount = results && (serve.volumeMounts || []).find((m) => m.name === results.name);
  if (!mount || mount.mountPath !== "/tmp/fio-data") fail(`Deployment: PVC ${pvc.metadata.name} not mounted at the data dir /tmp/fio-data`);

  // The token: from the one Secret, on both sides, never a literal.
  const keys = Object.keys({ ...(secret.stringData || {}), ...(secret.data || {}) });
  for (const [who, e] of [["Deployment", envOf(serve).FIOKIT_INGEST_TOKEN], ["Job", env.FIOKIT_INGEST_TOKEN]]) {
    const ref = get(e, "valueFrom.secretKeyRef");
    if (!ref || e.value !== undefined) fail(`${who} env FIOKIT_INGEST_TOKEN: want valueFrom.secretKeyRef, not a literal`);
    else if (ref.name !== secret.metadata.name || !keys.includes(ref.key)) {
      fail(`${who} env FIOKIT_INGEST_TOKEN: secretKeyRef ${ref.name}/${ref.key} is not a key of Secret ${secret.metadata.name}`);
    }
  }

  // One generic ephemeral volume per member, from a named class, where the job writes.
  const vols = pod.volumes || [];
  const eph = vols.filter((v) => v.ephemeral);
  const cls = eph.map((v) => get(v, "ephemeral.volumeClaimTemplate.spec.storageClassName"));
  if (eph.length !== 1 || typeof cls[0] !== "string" || !cls[0]) {
    fail("Job pod: want one ephemeral volume with volumeClaimTemplate.spec.storageClassName (the class under test)");
  }
  const mountOf = (name) => ((member.volumeMounts || []).find((m) => m.name === name) || {}).mountPath;
  const benchDir = eph[0] && mountOf(eph[0].name);
  const dir = (jobFio.match(/^\s*directory\s*=\s*(\S+)/m) || [])[1];
  if (!benchDir || !dir || !(dir === benchDir || dir.startsWith(benchDir + "/"))) {
    fail(`job.fio directory=${dir} is not on the ephemeral volume (mounted at ${benchDir})`);
  }

  // The job file: JOBFILES names the ConfigMap's key where it is mounted, and it is job.fio.
  const cmVol = vols.find((v) => get(v, "configMap.name") === cm.metadata.name);
  const jobfiles = get(env, "JOBFILES.value") || "";
  const key = cmVol && mountOf(cmVol.name) && jobfiles.startsWith(mountOf(cmVol.name) + "/") ? jobfiles.slice(mountOf(cmVol.name).length + 1) : null;
  if (!key || !(cm.data || {})[key]) fail(`Job env JOBFILES ${JSON.stringify(jobfiles)} is not a key of ConfigMap ${cm.metadata.name} where it is mounted`);
  else if (cm.data[key] !== jobFio) fail(`ConfigMap ${cm.metadata.name} ${key} differs from examples/k8s/job.fio`);

  // Spread over nodes: preferred anti-affinity on the hostname, selecting the members themselves.
  const terms = get(pod, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution") || [];
  const spread = terms.some((t) => get(t, "podAffinityTerm.topologyKey") === "kubernetes.io/hostname"
    && matches(get(t, "podAffinityTerm.labelSelector.matchLabels"), get(job, "spec.template.metadata.labels")));
  if (!spread) fail("Job pod: no preferred podAntiAffinity on kubernetes.io/hostname selecting the members' own labels");
  return errors;
}

module.exports = { checkContract };
