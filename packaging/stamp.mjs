// Stamps a release's version (and, for server.json, its bundle) into the
// templates kept in the repository, and prints the result on stdout.
//
//   node packaging/stamp.mjs manifest packaging/manifest.json VERSION
//   node packaging/stamp.mjs server-json server.json VERSION TAG BUNDLE
//
// VERSION is the semantic version without a leading "v" (1.2.3); TAG is the
// git tag the release is published under (v1.2.3), which names the release
// URL of BUNDLE, the .mcpb file whose SHA-256 goes into fileSha256.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const [command, input, version, tag, bundle] = process.argv.slice(2);

function fail(message) {
  process.stderr.write(`stamp: ${message}\n`);
  process.exit(2);
}

if (!input || !version) {
  fail("usage: stamp.mjs manifest FILE VERSION | server-json FILE VERSION TAG BUNDLE");
}
const doc = JSON.parse(readFileSync(input, "utf8"));

switch (command) {
  case "manifest":
    doc.version = version;
    break;
  case "server-json": {
    if (!tag || !bundle) fail("server-json needs TAG and BUNDLE");
    const repo = doc.repository?.url;
    if (!repo) fail(`${input} has no repository.url to build the release URL from`);
    const mcpb = doc.packages?.filter((p) => p.registryType === "mcpb") ?? [];
    if (mcpb.length !== 1) fail(`${input} must have exactly one mcpb package, not ${mcpb.length}`);
    const sha = createHash("sha256").update(readFileSync(bundle)).digest("hex");
    doc.version = version;
    mcpb[0].version = version;
    mcpb[0].identifier = `${repo}/releases/download/${encodeURIComponent(tag)}/${basename(bundle)}`;
    mcpb[0].fileSha256 = sha;
    break;
  }
  default:
    fail(`unknown command ${JSON.stringify(command)}`);
}

process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
