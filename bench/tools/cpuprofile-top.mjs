#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package, heaviest first.
// Usage: node bench/tools/cpuprofile-top.mjs <file.cpuprofile> [top=25]
import { readFileSync } from "node:fs";

const [file, topArg = "25"] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: node bench/tools/cpuprofile-top.mjs <file.cpuprofile> [top=25]");
  process.exit(2);
}
const top = Number(topArg);
const profile = JSON.parse(readFileSync(file, "utf8"));

const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const totalMicros = [...selfMicros.values()].reduce((a, b) => a + b, 0);

/** Where a script belongs: a workspace package, an npm package, node itself, or V8. */
function packageOf(url) {
  if (url === "") return "(v8/native)";
  if (url.startsWith("node:")) return "(node)";
  const inStore = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/);
  if (inStore) return inStore[1];
  const workspace = url.match(/\/(packages|bench|examples|test)\/([^/]+)/);
  return workspace ? `${workspace[1]}/${workspace[2]}` : url;
}

function shortUrl(url) {
  const parts = url.split("/");
  return parts.slice(-2).join("/");
}

const byFunction = new Map();
const byPackage = new Map();
for (const [id, micros] of selfMicros) {
  const { functionName, url, lineNumber } = nodeById.get(id).callFrame;
  const key = `${functionName || "(anonymous)"}  ${shortUrl(url)}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}

function print(title, map, limit) {
  console.log(title);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${(micros / 1000).toFixed(0).padStart(8)} ms ${((100 * micros) / totalMicros).toFixed(1).padStart(5)}%  ${key}`);
  }
}

console.log(`${file}: ${(totalMicros / 1000).toFixed(0)} ms sampled`);
print("\nself time by package", byPackage, 15);
print("\nself time by function", byFunction, top);
