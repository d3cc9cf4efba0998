/**
 * The report pages as HTML text: one self-contained page per call (styles, script and data inline; a
 * Content-Security-Policy that allows no network request except the call's own recording) and the index
 * of the calls in a folder. Trace data goes into JSON data blocks with every `<`, `>` and `&` escaped,
 * so no span text can close the block or be read as markup.
 */
import type { CallModel, CallSummary, ReportSpan } from "./call-model.js";
import type { SpanValue } from "./otlp-spans.js";
import { callViewer } from "./viewer-script.js";
import { VIEWER_STYLE } from "./viewer-style.js";
import { pauseEventLoop } from "./pause.js";

/** Id of the small JSON block at the top of each call page that the index is rebuilt from. */
export const SUMMARY_BLOCK_ID = "call-summary";

const VIEWER_SOURCE = `(${callViewer.toString()})();`;
if (/<\/script/i.test(VIEWER_SOURCE)) {
  throw new Error("call report: the page script must not contain a closing script tag");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON text that is safe inside a <script type="application/json"> block (and still valid JSON). */
export function jsonForScriptBlock(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Attributes as the page receives them: a flat list of key/value pairs in which every key and string value
 * is an index into PageModel.strings, and any other value is wrapped in a one-element array. Spans of a
 * call repeat the same keys and many values (ids, tool lists, instructions): this keeps a long call's
 * report small.
 */
export type PackedAttributes = Array<number | [SpanValue]>;

export interface PageModel extends Omit<CallModel, "spans"> {
  strings: string[];
  spans: Array<
    Omit<ReportSpan, "attributes" | "events"> & {
      attributes: PackedAttributes;
      events: Array<{ name: string; time: number; attributes: PackedAttributes }>;
    }
  >;
}

/** Spans serialised between two pauses: a long call's report never holds the event loop for long. */
const SPANS_PER_SLICE = 200;

/**
 * The PageModel of `model` as JSON text safe for a script block. Built span by span, pausing every
 * SPANS_PER_SLICE spans, because the report is written in the traced process, beside live calls.
 */
async function pageModelJson(model: CallModel): Promise<string> {
  const strings: string[] = [];
  const indexOf = new Map<string, number>();
  const intern = (text: string) => {
    let index = indexOf.get(text);
    if (index === undefined) {
      index = strings.push(text) - 1;
      indexOf.set(text, index);
    }
    return index;
  };
  const pack = (attributes: Record<string, SpanValue>): PackedAttributes =>
    Object.entries(attributes).flatMap(([key, value]) => [intern(key), typeof value === "string" ? intern(value) : [value]]);
  const spanTexts: string[] = [];
  for (let i = 0; i < model.spans.length; i += 1) {
    const span = model.spans[i];
    const packed: PageModel["spans"][number] = {
      ...span,
      attributes: pack(span.attributes),
      events: span.events.map((event) => ({ ...event, attributes: pack(event.attributes) })),
    };
    spanTexts.push(jsonForScriptBlock(packed));
    if (i % SPANS_PER_SLICE === SPANS_PER_SLICE - 1) await pauseEventLoop();
  }
  const { spans: _spans, ...rest } = model;
  const page: Omit<PageModel, "spans"> = { ...rest, strings };
  return `${jsonForScriptBlock(page).slice(0, -1)},"spans":[${spanTexts.join(",")}]}`;
}

function mediaSources(model: CallModel): string {
  const src = model.recording?.src;
  if (src === undefined) return "'none'";
  const remote = /^(https?):/i.exec(src);
  return remote ? `${remote[1].toLowerCase()}:` : "'self' file:";
}

function page(title: string, csp: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(title)}</title>
${head}<style>${VIEWER_STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The report page of one call. */
export async function renderCallReport(model: CallModel): Promise<string> {
  const csp = `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src ${mediaSources(model)}`;
  const summaryBlock = `<script type="application/json" id="${SUMMARY_BLOCK_ID}">${jsonForScriptBlock(model.summary)}</script>\n`;
  const body =
    `<div id="app"><nav class="call-meta"><a href="index.html">All calls</a></nav></div>\n` +
    `<noscript>This report needs JavaScript to draw the call; its data is in the JSON block below.</noscript>\n` +
    `<script type="application/json" id="call-data">${await pageModelJson(model)}</script>\n` +
    `<script>${VIEWER_SOURCE}</script>`;
  return page(`Call ${model.summary.title}`, csp, summaryBlock, body);
}

const seconds = (value: number | undefined) => (value === undefined ? "–" : `${Math.round(value * 1000)} ms`);
const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const utc = (unixMs: number) => new Date(unixMs).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");

/** The index page: one row per call, newest first, each linking to its report. */
export function renderIndex(summaries: CallSummary[]): string {
  const rows = [...summaries]
    .sort((a, b) => b.startUnixMs - a.startUnixMs)
    .map(
      (call) =>
        `<tr><td>${escapeHtml(utc(call.startUnixMs))}</td>` +
        `<td><a href="${encodeURIComponent(call.traceId)}.html">${escapeHtml(call.title)}</a></td>` +
        `<td class="num">${escapeHtml(duration(call.durationMs))}</td>` +
        `<td class="num">${call.turns}</td>` +
        `<td class="num">${escapeHtml(seconds(call.medianVoiceToVoice))}</td>` +
        `<td class="num">${escapeHtml(seconds(call.worstVoiceToVoice))}</td>` +
        `<td class="num">${call.interruptions}</td>` +
        `<td class="num${call.errors > 0 ? " bad" : ""}">${call.errors}</td></tr>`,
    )
    .join("\n");
  const body =
    `<div id="app"><h1>Calls</h1><p class="call-meta">${summaries.length} call${summaries.length === 1 ? "" : "s"} · ` +
    `each row opens the call's report</p>\n<table class="calls"><thead><tr><th>start</th><th>call</th>` +
    `<th class="num">duration</th><th class="num">turns</th><th class="num">median voice-to-voice</th>` +
    `<th class="num">worst voice-to-voice</th><th class="num">interruptions</th><th class="num">errors</th></tr></thead>\n` +
    `<tbody>\n${rows}\n</tbody></table></div>`;
  return page("Calls", "default-src 'none'; style-src 'unsafe-inline'", "", body);
}
