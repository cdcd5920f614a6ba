// verdict.mjs compares one run of the MCP conformance suite with
// conformance/expected-failures.txt and prints a short summary. It exits 0
// when every failure is expected and every expected failure still fails.
//
//	node verdict.mjs SCENARIOS RESULTS EXPECTED
//
// SCENARIOS is the output of `conformance list --server`, RESULTS the
// suite's --output-dir and EXPECTED the expected-failures file. A scenario
// fails, as in the suite's own baseline check, when any of its checks is a
// FAILURE or a WARNING.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [scenariosFile, resultsDir, expectedFile] = process.argv.slice(2);
if (!expectedFile) {
  console.error("usage: node verdict.mjs SCENARIOS RESULTS EXPECTED");
  process.exit(2);
}
const problems = [];

// Every server scenario the suite knows: lines such as
// "  - tools-list [2025-06-18,2025-11-25]".
const known = [];
for (const line of readFileSync(scenariosFile, "utf8").split("\n")) {
  const m = /^\s+- (\S+)/.exec(line);
  if (m) known.push(m[1]);
}
if (known.length === 0) {
  console.error(`verdict: no scenarios in ${scenariosFile}`);
  process.exit(2);
}

// The expected failures: a scenario name per line, a "# reason" after it.
const expected = new Map();
const lines = readFileSync(expectedFile, "utf8").split("\n");
for (const [i, raw] of lines.entries()) {
  const where = `${expectedFile}:${i + 1}`;
  const hash = raw.indexOf("#");
  const name = (hash < 0 ? raw : raw.slice(0, hash)).trim();
  const reason = hash < 0 ? "" : raw.slice(hash + 1).trim();
  if (name === "") continue;
  if (!known.includes(name)) problems.push(`${where}: no scenario is named ${name}`);
  else if (expected.has(name)) problems.push(`${where}: ${name} is listed twice`);
  else if (reason === "") problems.push(`${where}: ${name} needs a "# reason"`);
  expected.set(name, reason);
}

// The results: RESULTS/server-<scenario>-<ISO time>/checks.json.
const results = new Map();
for (const dir of readdirSync(resultsDir)) {
  const m = /^server-(.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/.exec(dir);
  if (!m) continue;
  const checks = JSON.parse(readFileSync(join(resultsDir, dir, "checks.json"), "utf8"));
  const bad = checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
  if (results.has(m[1])) problems.push(`${m[1]}: the suite recorded it twice`);
  results.set(m[1], bad);
}
for (const name of known) {
  if (!results.has(name)) problems.push(`${name}: the suite recorded no result`);
}

const passed = [];
const expectedFailed = [];
const unexpected = [];
const stale = [];
for (const [name, bad] of results) {
  if (bad.length === 0) (expected.has(name) ? stale : passed).push(name);
  else (expected.has(name) ? expectedFailed : unexpected).push(name);
}

for (const name of unexpected) {
  console.log(`FAIL ${name}: not in expected-failures.txt`);
  for (const c of results.get(name)) {
    console.log(`    ${c.status} ${c.id}: ${c.errorMessage ?? c.description}`);
    if (c.details) console.log(`        details: ${clip(JSON.stringify(c.details), 600)}`);
  }
}
for (const name of stale) {
  console.log(`STALE ${name}: passes now; remove it from expected-failures.txt`);
}
for (const p of problems) console.log(`ERROR ${p}`);

console.log(
  `conformance: ${results.size} scenarios, ${passed.length + stale.length} passed, ` +
    `${expectedFailed.length} failed as expected, ${unexpected.length} failed unexpectedly, ` +
    `${stale.length} stale expected failures`,
);
console.log(`passed: ${[...passed, ...stale].sort().join(" ") || "none"}`);
process.exit(unexpected.length + stale.length + problems.length === 0 ? 0 : 1);

function clip(s, n) {
  return s.length <= n ? s : `${s.slice(0, n)}...`;
}
