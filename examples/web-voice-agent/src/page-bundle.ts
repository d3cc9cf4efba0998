// The page, built when the demo starts: page/app.mjs (which imports Pipecat's web client and WebSocket
// transport from npm, unmodified) bundled by esbuild into one browser script.
import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const PAGE_DIR = path.join(__dirname, "..", "page");

export interface DemoPage {
  html: string;
  script: string;
}

export interface PageSettings {
  /** Whether the page's client spans may carry transcripts and bot text (the server's content switch). */
  captureContent: boolean;
}

export async function bundlePage(settings: PageSettings): Promise<DemoPage> {
  const result = await build({
    entryPoints: [path.join(PAGE_DIR, "app.mjs")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2020",
    define: { "process.env.NODE_ENV": '"production"', __CAPTURE_CONTENT__: JSON.stringify(settings.captureContent) },
    logLevel: "silent",
  });
  return { html: readFileSync(path.join(PAGE_DIR, "index.html"), "utf8"), script: result.outputFiles[0]!.text };
}
