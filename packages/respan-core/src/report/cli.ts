#!/usr/bin/env node
/**
 * `respan-traces [dir]`: writes an HTML report for every trace in a folder of OTLP JSON files — this
 * package's trace files or an OpenTelemetry Collector's file exporter output — and the folder's
 * index.html. Default folder: RESPAN_TRACES_DIR, else ./traces.
 */
import { pathToFileURL } from "node:url";
import { writeCallReports } from "./report-writer.js";

const USAGE = "usage: respan-traces [dir]   (default: $RESPAN_TRACES_DIR or ./traces)";

async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  const directory = args[0] ?? process.env.RESPAN_TRACES_DIR ?? "./traces";
  let result;
  try {
    result = await writeCallReports(directory);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : String(error);
    console.error(`respan-traces: cannot read ${directory}: ${reason}\n${USAGE}`);
    return 1;
  }
  for (const { file, reason } of result.skipped) console.error(`respan-traces: skipped ${file}: not OTLP JSON (${reason})`);
  if (result.index === undefined) {
    console.error(`respan-traces: no spans found in the .json/.jsonl files of ${directory}`);
    return 1;
  }
  for (const report of result.reports) console.log(report);
  console.log(`${result.reports.length} call report(s); open ${pathToFileURL(result.index).href}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`respan-traces: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
