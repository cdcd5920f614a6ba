// Starts the server of an unpacked MCP bundle the way a host does and checks
// that it answers as its manifest says: the command and environment come from
// the manifest through the MCPB library's own getMcpConfigForManifest (the
// code Claude Desktop uses), then it is sent initialize, tools/list and, when
// it offers them, prompts/list over stdio. Before that it checks that the
// command the manifest gives each platform is in the bundle.
//
//   node packaging/smoke-bundle.mjs --tools DIR [--version V] [--all-platforms] UNPACKED_BUNDLE_DIR
//
// --tools is the directory holding node_modules with @anthropic-ai/mcpb.
// --version is the version the server must report (the one given to
// scripts/build-dist); without it, the manifest's. With --all-platforms a
// command missing for another platform than this one is an error; without
// it, a note (a test bundle has only this platform's binary).
import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join, resolve, sep } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values: opts, positionals } = parseArgs({
  options: {
    tools: { type: "string" },
    version: { type: "string" },
    "all-platforms": { type: "boolean" },
  },
  allowPositionals: true,
});
if (!opts.tools || positionals.length !== 1) {
  process.stderr.write("usage: smoke-bundle.mjs --tools DIR [--version V] [--all-platforms] " +
    "UNPACKED_BUNDLE_DIR\n");
  process.exit(2);
}
const dir = resolve(positionals[0]);
const fail = (message) => {
  process.stderr.write(`smoke-bundle: ${message}\n`);
  process.exit(1);
};

const require = createRequire(join(opts.tools, "package.json"));
const { getMcpConfigForManifest } = await import(
  pathToFileURL(require.resolve("@anthropic-ai/mcpb")).href);

const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const resolveConfig = () => getMcpConfigForManifest({
  manifest,
  extensionPath: dir,
  systemDirs: { HOME: homedir() },
  userConfig: { api_key: "smoke-test-key" }, // only the required option, as a new user gives
  pathSeparator: sep,
  logger: console,
});

// The library picks the platform override by process.platform, so each
// platform is resolved by pretending to be it for a moment.
const platform = process.platform;
const missing = [];
for (const p of manifest.compatibility?.platforms ?? [platform]) {
  Object.defineProperty(process, "platform", { value: p });
  const { command } = (await resolveConfig()) ?? {};
  Object.defineProperty(process, "platform", { value: platform });
  try {
    accessSync(command, p === "win32" ? constants.R_OK : constants.X_OK);
  } catch {
    const shown = command?.replace(dir, "<bundle>");
    missing.push(`${p}: ${shown} is not in the bundle, or not executable`);
  }
}
const [here, elsewhere] = [missing.filter((m) => m.startsWith(`${platform}:`)),
  missing.filter((m) => !m.startsWith(`${platform}:`))];
if (here.length > 0 || (opts["all-platforms"] && elsewhere.length > 0)) {
  fail(missing.join("\n"));
}
for (const m of elsewhere) console.log(`smoke-bundle: note, ${m}`);

const config = await resolveConfig();
if (!config) fail("the manifest gave no MCP configuration for these settings");
const unresolved = JSON.stringify(config).match(/\$\{[^}]*\}/g);
if (unresolved) fail(`variables left unresolved in the configuration: ${unresolved.join(", ")}`);
console.log(`smoke-bundle: ${process.platform} runs ${config.command.replace(dir, "<bundle>")}`);

const server = spawn(config.command, config.args ?? [], {
  env: { ...process.env, ...config.env },
  stdio: ["pipe", "pipe", "pipe"],
});
let stderr = "";
server.stderr.on("data", (d) => { stderr += d; });
const exited = new Promise((res) => server.on("exit", (code, signal) => res({ code, signal })));
server.on("error", (err) => fail(`starting ${config.command}: ${err.message}`));
const timer = setTimeout(() => {
  server.kill("SIGKILL");
  fail(`no answer in 30 s; the server's log:\n${stderr}`);
}, 30_000);

// One JSON-RPC request at a time, each answered by the line with its id.
const pending = new Map();
createInterface({ input: server.stdout }).on("line", (line) => {
  const msg = JSON.parse(line);
  pending.get(msg.id)?.(msg);
  pending.delete(msg.id);
});
let nextId = 1;
const request = (method, params = {}) => new Promise((res, rej) => {
  const id = nextId++;
  pending.set(id, (msg) => (msg.error
    ? rej(new Error(`${method}: ${msg.error.message}`)) : res(msg.result)));
  server.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
});

try {
  const init = await request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "heppu-mcp-smoke-bundle", version: "1" },
  });
  const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
  server.stdin.write(JSON.stringify(initialized) + "\n");

  const problems = [];
  const got = init.serverInfo?.version;
  if (opts.version ? got !== opts.version : got?.replace(/^v/, "") !== manifest.version) {
    problems.push(`the server reports version ${got}; want ${opts.version ?? manifest.version}`);
  }

  const { tools } = await request("tools/list");
  const servedNames = new Set(tools.map((t) => t.name));
  const listedNames = (manifest.tools ?? []).map((t) => t.name);
  const served = [...servedNames].sort().join(", ");
  const listed = [...listedNames].sort().join(", ");
  // tools_generated: the server may have more tools than the manifest lists.
  const toolsMatch = manifest.tools_generated
    ? listedNames.every((n) => servedNames.has(n)) : served === listed;
  if (!toolsMatch) {
    problems.push(`the server has the tools ${served}; the manifest lists ${listed}`);
  }

  const prompts = init.capabilities?.prompts ? (await request("prompts/list")).prompts : [];
  if (Boolean(manifest.prompts_generated) !== prompts.length > 0) {
    problems.push(`the server offers ${prompts.length} prompts; the manifest says ` +
      `prompts_generated: ${Boolean(manifest.prompts_generated)}`);
  }

  if (problems.length > 0) fail(problems.join("\n"));
  console.log(`smoke-bundle: ${init.serverInfo.name} ${init.serverInfo.version} serves ${served}` +
    (prompts.length ? ` and ${prompts.length} prompts` : ""));
} catch (err) {
  fail(`${err.message}; the server's log:\n${stderr}`);
}

// End of input ends a stdio server; it must go quietly.
server.stdin.end();
const { code, signal } = await exited;
clearTimeout(timer);
if (code !== 0) {
  fail(`the server exited with ${signal ?? code} after its input ended; its log:\n${stderr}`);
}
