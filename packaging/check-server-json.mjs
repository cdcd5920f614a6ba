// Checks a server.json for the MCP Registry: the shape the registry's schema
// asks for, the rules the registry adds when an MCPB package is published,
// and agreement with our manifest.
//
//   node packaging/check-server-json.mjs [--manifest packaging/manifest.json]
//       [--bundle FILE.mcpb] server.json
//
// With --bundle, the package must name that file and carry its SHA-256; without
// it the file is taken for the template kept in the repository.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";

const { values: opts, positionals } = parseArgs({
  options: {
    manifest: { type: "string" },
    bundle: { type: "string" },
  },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  process.stderr.write("usage: check-server-json.mjs " +
    "[--manifest FILE] [--bundle FILE] server.json\n");
  process.exit(2);
}
const file = positionals[0];
const problems = [];
const problem = (path, message) => problems.push(`${path || "(root)"}: ${message}`);

const doc = JSON.parse(readFileSync(file, "utf8"));

// The shape the registry's schema asks for. The schema itself is not
// fetched: no package registry reachable here ships it, so the fields that
// matter are checked by hand against its documented format.
const schemaURL =
  /^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d{2}-\d{2}\/server\.schema\.json$/;
if (!schemaURL.test(doc.$schema ?? "")) {
  problem("$schema", `${JSON.stringify(doc.$schema)} is not a registry schema URL`);
}
if (!/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/.test(doc.name ?? "")) {
  problem("/name", "must be NAMESPACE/NAME, such as io.github.owner/server");
}
if (typeof doc.description !== "string" || doc.description.length < 1 ||
  doc.description.length > 100) {
  problem("/description", "must be a string of 1 to 100 characters");
}
if (typeof doc.version !== "string" || doc.version === "") problem("/version", "is required");
for (const [i, p] of (doc.packages ?? []).entries()) {
  for (const key of ["registryType", "identifier"]) {
    if (typeof p[key] !== "string" || p[key] === "") problem(`/packages/${i}/${key}`, "is required");
  }
  if (p.transport?.type !== "stdio") problem(`/packages/${i}/transport`, "must be {\"type\": \"stdio\"}");
  for (const [j, v] of (p.environmentVariables ?? []).entries()) {
    if (typeof v.name !== "string" || typeof v.description !== "string") {
      problem(`/packages/${i}/environmentVariables/${j}`, "needs a name and a description");
    }
  }
}

// What the registry checks on publishing, beyond the schema.
const range = /^[\^~<>=]|[*]|(^|\.)x(\.|$)|\s|\|\|/;
for (const [path, v] of [["/version", doc.version],
  ...(doc.packages ?? []).map((p, i) => [`/packages/${i}/version`, p.version])]) {
  if (v === undefined) continue;
  if (v === "latest" || range.test(v)) {
    problem(path, `${JSON.stringify(v)} is not one exact version`);
  }
}
const repo = doc.repository?.url ?? "";
const mcpb = (doc.packages ?? []).map((p, i) => [p, `/packages/${i}`])
  .filter(([p]) => p.registryType === "mcpb");
if (mcpb.length !== 1) problem("/packages", `want exactly one mcpb package, found ${mcpb.length}`);
for (const [p, path] of mcpb) {
  if (p.registryBaseUrl !== undefined) {
    problem(path, "an mcpb package must not have registryBaseUrl");
  }
  if (!p.fileSha256) problem(path, "an mcpb package needs fileSha256");
  if (p.version !== undefined && p.version !== doc.version) {
    problem(`${path}/version`, `${p.version} differs from the server's version ${doc.version}`);
  }
  let url;
  try {
    url = new URL(p.identifier);
  } catch {
    problem(`${path}/identifier`, "is not a URL");
    continue;
  }
  const m = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (url.protocol !== "https:" || url.hostname !== "github.com" || !m) {
    problem(`${path}/identifier`,
      "must be a GitHub release asset, https://github.com/OWNER/REPO/releases/download/TAG/FILE");
  } else if (`https://github.com/${m[1]}/${m[2]}` !== repo) {
    problem(`${path}/identifier`, `is not a release of the repository ${repo}`);
  }
  if (!p.identifier.toLowerCase().includes("mcp")) {
    problem(`${path}/identifier`, "the registry requires \"mcp\" in an mcpb URL");
  }

  if (opts.bundle) {
    const sha = createHash("sha256").update(readFileSync(opts.bundle)).digest("hex");
    if (p.fileSha256 !== sha) problem(`${path}/fileSha256`, `is not the SHA-256 of ${opts.bundle}`);
    if (m && decodeURIComponent(m[4]) !== basename(opts.bundle)) {
      problem(`${path}/identifier`, `names ${m[4]}, not ${basename(opts.bundle)}`);
    }
  }
}

// The variables the registry lists are the ones the bundle sets.
if (opts.manifest) {
  const manifest = JSON.parse(readFileSync(opts.manifest, "utf8"));
  const want = Object.keys(manifest.server?.mcp_config?.env ?? {}).sort().join(", ");
  for (const [p, path] of mcpb) {
    const got = (p.environmentVariables ?? []).map((v) => v.name).sort().join(", ");
    if (got !== want) {
      problem(`${path}/environmentVariables`, `lists ${got}; the manifest sets ${want}`);
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`${file} is not fit for the MCP Registry:\n`);
  for (const p of problems) process.stderr.write(`  ${p}\n`);
  process.exit(1);
}
console.log(`${file}: has the registry's shape and follows its mcpb rules` +
  (opts.bundle ? `, and matches ${basename(opts.bundle)}` : ""));
