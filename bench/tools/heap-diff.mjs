#!/usr/bin/env node
// Compares two V8 heap snapshots (v8.writeHeapSnapshot, or DevTools): count and self size of objects per
// constructor (or node type), sorted by growth — to find what a long traced call keeps.
// Usage: node bench/tools/heap-diff.mjs <before.heapsnapshot> <after.heapsnapshot> [top=30]
import { readFileSync } from "node:fs";

const [beforeFile, afterFile, topArg = "30"] = process.argv.slice(2);
if (afterFile === undefined) {
  console.error("usage: node bench/tools/heap-diff.mjs <before.heapsnapshot> <after.heapsnapshot> [top=30]");
  process.exit(2);
}

/** { "<type>:<name>": { count, bytes } } over every node of the snapshot. */
function tally(file) {
  const snapshot = JSON.parse(readFileSync(file, "utf8"));
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const { nodes, strings } = snapshot;
  const result = new Map();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]];
    // Strings and code are grouped by type; objects by constructor name.
    const name = type === "object" || type === "closure" ? strings[nodes[i + nameAt]] : "";
    const key = `${type}:${name}`;
    const entry = result.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += nodes[i + sizeAt];
    result.set(key, entry);
  }
  return result;
}

const before = tally(beforeFile);
const after = tally(afterFile);
const rows = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, bytes: 0 };
  return { key, count: a.count - b.count, bytes: a.bytes - b.bytes };
});
const total = rows.reduce((sum, row) => sum + row.bytes, 0);
console.log(`heap growth ${(total / 1024).toFixed(0)} KiB (self sizes)`);
for (const row of rows.sort((x, y) => y.bytes - x.bytes).slice(0, Number(topArg))) {
  console.log(`${(row.bytes / 1024).toFixed(1).padStart(10)} KiB ${String(row.count).padStart(8)} objects  ${row.key}`);
}
