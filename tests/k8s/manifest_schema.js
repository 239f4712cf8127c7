// Schema validation of Kubernetes manifests: every YAML document is parsed
// with the `yaml` package, built with its kubernetes-models class (chosen by
// apiVersion and kind) and `.validate()`d against the Kubernetes API's
// OpenAPI schema that kubernetes-models ships (types, required fields, enums
// such as completionMode and restartPolicy), and, as the API server does,
// fields the schema does not know. A document that is not YAML, has no class,
// or breaks the schema is an error naming the document and the field.
"use strict";

// kubernetes-models' module for an apiVersion: "v1" is the core group,
// "apps/v1" the group apps, version v1.
function modelModule(req, apiVersion) {
  if (typeof apiVersion !== "string" || !/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) {
    return null;
  }
  try {
    return req(`kubernetes-models/${apiVersion}`);
  } catch (e) {
    return null;
  }
}

function describe(obj, n) {
  const name = obj && obj.metadata && obj.metadata.name;
  return `document ${n} (${(obj && obj.kind) || "no kind"}${name ? ` ${name}` : ""})`;
}

// Parses `text` (a multi-document YAML file). Returns {objects, errors}:
// objects are plain JS objects, in file order; errors are strings.
function parseManifests(req, text) {
  const YAML = req("yaml");
  const objects = [];
  const errors = [];
  YAML.parseAllDocuments(text, { prettyErrors: true }).forEach((doc, i) => {
    const n = i + 1;
    if (doc.errors.length) {
      errors.push(`document ${n}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
      return;
    }
    if (doc.contents === null) return;  // an empty document (kubectl skips it too)
    const obj = doc.toJS();
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
      errors.push(`document ${n}: not a Kubernetes object (a mapping with apiVersion and kind)`);
      return;
    }
    objects.push(obj);
  });
  return { objects, errors };
}

// kubernetes-models' schemas allow fields they do not know, where the API
// server (kubectl's default --validate=strict) refuses them: a misspelt field
// name would pass unseen. The compiled validator reads every field its schema
// knows (at least to see it is absent) and never one it does not, so the
// model is validated through proxies that record what is read; a field of the
// document never read is unknown. Maps (labels, ConfigMap data) are read key
// by key, so their keys count as known.
function validateStrict(model) {
  const read = new Set();
  const wrap = (obj, at) => new Proxy(obj, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || !Object.prototype.hasOwnProperty.call(target, key)) return v;
      read.add(`${at}/${key}`);
      return v && typeof v === "object" ? wrap(v, `${at}/${key}`) : v;
    },
  });
  Object.getPrototypeOf(model).validate.call(wrap(model, ""));
  const unknown = [];
  const walk = (obj, at) => {
    for (const key of Object.keys(obj)) {
      const here = `${at}/${key}`;
      if (!read.has(here)) unknown.push(here);
      else if (obj[key] && typeof obj[key] === "object") walk(obj[key], here);
    }
  };
  walk(model, "");
  if (unknown.length) throw new Error(unknown.map((f) => `data${f} is not a field of the API schema`).join(", "));
}

// Validates each object against its kubernetes-models class. Returns errors.
function validateObjects(req, objects) {
  const errors = [];
  objects.forEach((obj, i) => {
    const where = describe(obj, i + 1);
    const mod = modelModule(req, obj.apiVersion);
    const Model = mod && typeof obj.kind === "string" ? mod[obj.kind] : undefined;
    if (typeof Model !== "function") {
      errors.push(`${where}: no Kubernetes API type for apiVersion ${JSON.stringify(obj.apiVersion)}, kind ${JSON.stringify(obj.kind)}`);
      return;
    }
    try {
      validateStrict(new Model(obj));
    } catch (e) {
      errors.push(`${where}: ${e.message}`);
    }
  });
  return errors;
}

module.exports = { parseManifests, validateObjects };
