// Schema validation of Kubernetes manifests: every YAML document is parsed
// with the `yaml` package, built with its kubernetes-models class (chosen by
// apiVersion and kind) and `.validate()`d against the Kubernetes API's
// OpenAPI schema that kubernetes-models ships (types, required fields, enums
// such as completionMode and restartPolicy). A document that is not YAML, has
// no class, or breaks the schema is an error naming the document and the field.
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
      new Model(obj).validate();
    } catch (e) {
      errors.push(`${where}: ${e.message}`);
    }
  });
  return errors;
}

module.exports = { parseManifests, validateObjects };
