/// <reference lib="dom" />
/**
 * The call report's page script. It runs in the browser, inlined into the report by html.ts as the
 * source text of `callViewer` — so it must stay self-contained: no imports at run time, no references to
 * anything outside the function. It reads the call model from the page's JSON data block and draws the
 * header, the per-turn latency chart, the waterfall (only the rows in view, so a 1,000-turn call stays
 * fast), the transcript, the details pane and, when the call has a recording, the audio player.
 * Span text is only ever set with textContent: nothing from the trace is parsed as HTML.
 */
import type { ReportTurn } from "./call-model.js";
import type { PackedAttributes, PageModel } from "./html.js";

export function callViewer(): void {
  const ROW_HEIGHT = 24;
  const OVERSCAN_ROWS = 12;
  const TRANSCRIPT_CHUNK = 400;
  const dataElement = document.getElementById("call-data");
  const app = document.getElementById("app");
  if (dataElement === null || app === null) return;
  const model = JSON.parse(dataElement.textContent ?? "{}") as PageModel;
  type PageSpan = PageModel["spans"][number];
  const { summary, spans, turns } = model;
  const duration = Math.max(summary.durationMs, 0.001);
  const turnBySpan = new Map<number, ReportTurn>(turns.map((turn) => [turn.span, turn]));
  const indexBySpanId = new Map<string, number>(spans.map((span, index) => [span.spanId, index]));

  function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className?: string,
    text?: string,
  ): HTMLElementTagNameMap[K] {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }
  function formatMs(ms: number): string {
    if (ms === 0) return "0";
    if (ms < 1) return `${ms.toFixed(2)} ms`;
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
    return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  }
  function formatSeconds(seconds: number | undefined): string {
    return seconds === undefined ? "–" : formatMs(seconds * 1000);
  }
  function formatValue(value: unknown): string {
    if (typeof value !== "string") return JSON.stringify(value);
    const trimmed = value.trim();
    if ((trimmed.startsWith("{") && trimmed.endsWith("}")) || (trimmed.startsWith("[") && trimmed.endsWith("]"))) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  /** Attributes back from their packed form (see pageModelJson in html.ts). */
  function unpack(packed: PackedAttributes): Record<string, unknown> {
    const attributes: Record<string, unknown> = {};
    for (let i = 0; i + 1 < packed.length; i += 2) {
      const value = packed[i + 1];
      attributes[model.strings[packed[i] as number]] = typeof value === "number" ? model.strings[value] : value[0];
    }
    return attributes;
  }
  function spanLabel(span: PageSpan, index: number): string {
    const turn = turnBySpan.get(index);
    return turn === undefined ? span.name : `${span.name} ${turn.number}`;
  }

  // ── header ──
  const header = el("header", "call-header");
  header.append(el("h1", undefined, summary.title));
  const startText = new Date(summary.startUnixMs).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  header.append(
    el(
      "p",
      "call-meta",
      `trace ${summary.traceId} · ${startText} · ${formatMs(summary.durationMs)} · ${summary.spanCount} spans · ` +
        `service${model.services.length > 1 ? "s" : ""} ${model.services.join(", ")}`,
    ),
  );
  const chips = el("div", "chips");
  const chip = (label: string, value: string, extra?: string) => {
    const item = el("div", `chip${extra ? ` ${extra}` : ""}`);
    item.append(el("span", "chip-value", value), el("span", "chip-label", label));
    chips.append(item);
  };
  chip("turns", String(summary.turns));
  chip("median voice-to-voice", formatSeconds(summary.medianVoiceToVoice));
  chip("worst voice-to-voice", formatSeconds(summary.worstVoiceToVoice));
  chip("interruptions", String(summary.interruptions), summary.interruptions > 0 ? "chip-warn" : undefined);
  chip("errors", String(summary.errors), summary.errors > 0 ? "chip-error" : undefined);
  header.append(chips);
  app.append(header);

  // ── recording ──
  let audio: HTMLAudioElement | undefined;
  const recording = model.recording;
  if (recording !== undefined) {
    const player = el("section", "panel player");
    player.append(el("h2", undefined, "Recording"));
    audio = el("audio");
    audio.id = "recording";
    audio.controls = true;
    audio.preload = /^https?:/i.test(recording.src) ? "none" : "metadata";
    audio.src = recording.src;
    const note = el("p", "player-note", "Click a turn to play from its start; the red line follows the audio.");
    audio.addEventListener("error", () => {
      note.textContent = `The recording could not be loaded from ${recording.src}.`;
      note.classList.add("player-error");
    });
    player.append(audio, note);
    app.append(player);
  }

  const layout = el("div", "layout");
  const main = el("div", "main-column");
  const side = el("div", "side-column");
  layout.append(main, side);
  app.append(layout);

  // ── latency chart ──
  const chartPanel = el("section", "panel");
  chartPanel.append(el("h2", undefined, "Voice-to-voice latency per turn"));
  const legend = el("div", "legend");
  const parts: Array<[string, string]> = [
    ["stt", "STT time to first byte"],
    ["llm", "LLM time to first byte"],
    ["tts", "TTS time to first byte"],
    ["rest", "rest of voice-to-voice"],
  ];
  for (const [part, label] of parts) {
    const item = el("span", "legend-item");
    item.append(el("span", `swatch part-${part}`), document.createTextNode(label));
    legend.append(item);
  }
  chartPanel.append(legend);
  const chart = el("div", "chart");
  chart.id = "latency-chart";
  const chartMax = Math.max(
    0.001,
    ...turns.map((turn) => Math.max(turn.voiceToVoice ?? 0, (turn.sttTtfb ?? 0) + (turn.llmTtfb ?? 0) + (turn.ttsTtfb ?? 0))),
  );
  const axis = el("div", "chart-axis");
  axis.append(el("span", undefined, formatSeconds(chartMax)), el("span", undefined, formatSeconds(chartMax / 2)), el("span", undefined, "0"));
  const bars = el("div", "chart-bars");
  const barWidth = Math.max(3, Math.min(36, Math.floor(640 / Math.max(turns.length, 1))));
  const CHART_HEIGHT = 140;
  for (const turn of turns) {
    const bar = el("div", `bar${turn.interrupted ? " bar-interrupted" : ""}`);
    bar.dataset.turn = String(turn.number);
    bar.style.width = `${barWidth}px`;
    const values: Array<[string, number | undefined]> = [
      ["stt", turn.sttTtfb],
      ["llm", turn.llmTtfb],
      ["tts", turn.ttsTtfb],
    ];
    const ttfbSum = values.reduce((sum, [, value]) => sum + (value ?? 0), 0);
    if (turn.voiceToVoice !== undefined) values.push(["rest", Math.max(0, turn.voiceToVoice - ttfbSum)]);
    const stack = el("div", "bar-stack");
    for (const [part, value] of values) {
      if (value === undefined) continue;
      const segment = el("div", `segment part-${part}`);
      segment.dataset.part = part;
      segment.dataset.seconds = String(value);
      segment.style.height = `${(value / chartMax) * CHART_HEIGHT}px`;
      stack.append(segment);
    }
    bar.append(stack);
    if (turn.interrupted) bar.append(el("div", "bar-flag", "!"));
    if (barWidth >= 16) bar.append(el("div", "bar-label", String(turn.number)));
    bar.title =
      `turn ${turn.number}${turn.interrupted ? " (interrupted)" : ""}\n` +
      `voice-to-voice ${turn.voiceToVoice === undefined ? "– (no user speech before it)" : formatSeconds(turn.voiceToVoice)}\n` +
      `STT ${formatSeconds(turn.sttTtfb)} · LLM ${formatSeconds(turn.llmTtfb)} · TTS ${formatSeconds(turn.ttsTtfb)}`;
    bar.addEventListener("click", () => {
      select(turn.span, true);
      playTurn(turn);
    });
    bars.append(bar);
  }
  chart.append(axis, bars);
  chartPanel.append(chart);
  if (turns.length === 0) chartPanel.append(el("p", "empty", "This trace has no turn spans."));
  main.append(chartPanel);

  // ── waterfall ──
  const waterfallPanel = el("section", "panel");
  waterfallPanel.append(el("h2", undefined, "Waterfall"));
  const timeAxis = el("div", "wf-axis");
  const axisTrack = el("div", "wf-axis-track");
  for (let tick = 0; tick <= 4; tick += 1) {
    const label = el("span", "wf-tick", formatMs((duration * tick) / 4));
    label.style.left = `${tick * 25}%`;
    axisTrack.append(label);
  }
  timeAxis.append(el("div", "wf-axis-label", "span"), axisTrack);
  const scroller = el("div", "wf-scroll");
  scroller.id = "waterfall";
  const spacer = el("div", "wf-spacer");
  spacer.style.height = `${spans.length * ROW_HEIGHT}px`;
  const rowsLayer = el("div", "wf-rows");
  const overlay = el("div", "wf-overlay");
  const playhead = el("div", "wf-playhead");
  playhead.hidden = true;
  overlay.append(playhead);
  spacer.append(rowsLayer, overlay);
  scroller.append(spacer);
  waterfallPanel.append(timeAxis, scroller);
  main.append(waterfallPanel);

  let selected = -1;
  function buildRow(index: number): HTMLElement {
    const span = spans[index];
    const row = el("div", `wf-row cat-${span.category}${span.error ? " has-error" : ""}${index === selected ? " selected" : ""}`);
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.dataset.index = String(index);
    row.dataset.spanId = span.spanId;
    row.dataset.name = span.name;
    row.dataset.depth = String(span.depth);
    if (span.parentSpanId) row.dataset.parent = span.parentSpanId;
    const label = el("div", "wf-label");
    label.style.paddingLeft = `${6 + span.depth * 14}px`;
    label.append(el("span", "wf-name", spanLabel(span, index)));
    if (span.interrupted) label.append(el("span", "badge badge-interrupted", "interrupted"));
    if (span.error) label.append(el("span", "badge badge-error", "error"));
    if (span.service !== 0) label.append(el("span", "badge badge-service", model.services[span.service]));
    label.append(el("span", "wf-duration", formatMs(span.end - span.start)));
    const track = el("div", "wf-track");
    const bar = el("div", "wf-bar");
    bar.style.left = `${(span.start / duration) * 100}%`;
    bar.style.width = `${Math.max(((span.end - span.start) / duration) * 100, 0.2)}%`;
    track.append(bar);
    row.append(label, track);
    return row;
  }
  let renderQueued = false;
  function renderRows(): void {
    renderQueued = false;
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
    const last = Math.min(spans.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_HEIGHT) + OVERSCAN_ROWS);
    const fragment = document.createDocumentFragment();
    for (let index = first; index < last; index += 1) fragment.append(buildRow(index));
    rowsLayer.replaceChildren(fragment);
  }
  function queueRender(): void {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(renderRows);
  }
  scroller.addEventListener("scroll", queueRender);
  window.addEventListener("resize", queueRender);
  rowsLayer.addEventListener("click", (event) => {
    const row = (event.target as Element).closest<HTMLElement>(".wf-row");
    if (row === null) return;
    const index = Number(row.dataset.index);
    select(index, false);
    const turn = turnBySpan.get(index);
    if (turn !== undefined) playTurn(turn);
  });

  // ── details ──
  const details = el("section", "panel details");
  details.id = "details";
  details.append(el("h2", undefined, "Details"), el("p", "empty", "Click a span in the waterfall, a turn in the chart or a transcript line."));
  side.append(details);

  function showDetails(index: number): void {
    const span = spans[index];
    const body: HTMLElement[] = [el("h2", undefined, spanLabel(span, index))];
    const facts = el("dl", "facts");
    const fact = (name: string, value: string) => facts.append(el("dt", undefined, name), el("dd", undefined, value));
    fact("service", model.services[span.service]);
    fact("span id", span.spanId);
    if (span.parentSpanId) fact("parent", span.parentSpanId);
    fact("kind", span.kind);
    fact("start", `+${formatMs(span.start)}`);
    fact("duration", formatMs(span.end - span.start));
    fact("status", span.error === undefined ? "ok" : `error: ${span.error}`);
    body.push(facts);
    if (span.error !== undefined) body.push(el("p", "error-text", span.error));
    body.push(el("h3", undefined, "Attributes"));
    const table = el("table", "attributes");
    const attributes = unpack(span.attributes);
    for (const key of Object.keys(attributes).sort()) {
      const row = el("tr");
      row.append(el("th", undefined, key));
      const cell = el("td");
      cell.append(el("pre", undefined, formatValue(attributes[key])));
      row.append(cell);
      table.append(row);
    }
    body.push(table);
    if (span.events.length > 0) {
      body.push(el("h3", undefined, "Events"));
      const list = el("ul", "events");
      for (const event of span.events) {
        const item = el("li");
        item.append(el("strong", undefined, event.name), document.createTextNode(` +${formatMs(event.time)}`));
        const eventAttributes = unpack(event.attributes);
        const keys = Object.keys(eventAttributes);
        if (keys.length > 0) item.append(el("pre", undefined, keys.map((key) => `${key}: ${formatValue(eventAttributes[key])}`).join("\n")));
        list.append(item);
      }
      body.push(list);
    }
    details.replaceChildren(...body);
  }

  function select(index: number, scrollIntoView: boolean): void {
    if (index < 0 || index >= spans.length) return;
    selected = index;
    showDetails(index);
    if (scrollIntoView) {
      const top = index * ROW_HEIGHT;
      if (top < scroller.scrollTop || top > scroller.scrollTop + scroller.clientHeight - ROW_HEIGHT) {
        scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 2);
      }
    }
    renderRows();
  }

  // ── transcript ──
  const transcriptPanel = el("section", "panel");
  transcriptPanel.append(el("h2", undefined, "Transcript"));
  const transcript = el("ol", "transcript");
  transcript.id = "transcript";
  transcriptPanel.append(transcript);
  side.append(transcriptPanel);
  const roleNames: Record<string, string> = { user: "User", assistant: "Assistant", tool_call: "Tool call", tool_result: "Tool result" };
  function buildLine(index: number): HTMLElement {
    const line = model.transcript[index];
    const item = el("li", `line role-${line.role}${line.interrupted ? " line-interrupted" : ""}`);
    item.dataset.role = line.role;
    item.dataset.span = String(line.span);
    const meta = el("div", "line-meta");
    meta.append(el("span", "line-role", roleNames[line.role] ?? line.role), el("span", "line-time", `+${formatMs(line.time)}`));
    if (line.turn !== undefined) meta.append(el("span", "line-turn", `turn ${line.turn}`));
    if (line.interrupted) meta.append(el("span", "badge badge-interrupted", "interrupted"));
    item.append(meta, el("div", "line-text", line.text));
    return item;
  }
  // Long calls: the first lines now, the rest in later tasks so the first render is not held up.
  function appendTranscript(from: number): void {
    const fragment = document.createDocumentFragment();
    const to = Math.min(model.transcript.length, from + TRANSCRIPT_CHUNK);
    for (let index = from; index < to; index += 1) fragment.append(buildLine(index));
    transcript.append(fragment);
    if (to < model.transcript.length) setTimeout(() => appendTranscript(to), 0);
    else transcript.dataset.complete = "true";
  }
  if (model.transcript.length > 0) appendTranscript(0);
  else {
    transcript.dataset.complete = "true";
    transcriptPanel.append(el("p", "empty", "No transcript text in this trace (content capture was off, or nothing was said)."));
  }
  transcript.addEventListener("click", (event) => {
    const item = (event.target as Element).closest<HTMLElement>(".line");
    if (item !== null) select(Number(item.dataset.span), true);
  });

  // ── recording playback ──
  function turnOffset(turn: ReportTurn): number | undefined {
    if (recording === undefined) return undefined;
    return turn.recordingOffset ?? Math.max(0, (turn.start - recording.startsAt) / 1000);
  }
  function playTurn(turn: ReportTurn): void {
    const offset = turnOffset(turn);
    if (audio === undefined || offset === undefined) return;
    audio.currentTime = offset;
    audio.play().catch(() => undefined); // the error event already explains a missing file
    movePlayhead();
  }
  // Turns with a recording offset anchor the recording to the time axis; between anchors it runs at 1x.
  const anchors = turns.filter((turn) => turn.recordingOffset !== undefined).sort((a, b) => a.recordingOffset! - b.recordingOffset!);
  function recordingTimeToMs(seconds: number): number {
    let at = recording!.startsAt + seconds * 1000;
    for (let i = 0; i < anchors.length && anchors[i].recordingOffset! <= seconds; i += 1) {
      const next = anchors[i + 1];
      at = anchors[i].start + (seconds - anchors[i].recordingOffset!) * 1000;
      if (next !== undefined) at = Math.min(at, next.start);
    }
    return at;
  }
  function movePlayhead(): void {
    if (audio === undefined || recording === undefined) return;
    const at = recordingTimeToMs(audio.currentTime);
    playhead.hidden = false;
    playhead.style.left = `${Math.min(100, Math.max(0, (at / duration) * 100))}%`;
    playhead.dataset.ms = String(at);
  }
  if (audio !== undefined) {
    const playing = audio;
    const follow = () => {
      movePlayhead();
      if (!playing.paused) requestAnimationFrame(follow);
    };
    playing.addEventListener("play", follow);
    playing.addEventListener("seeked", movePlayhead);
    playing.addEventListener("timeupdate", movePlayhead);
  }

  // Deep link: report.html#<span id> selects that span.
  const linked = indexBySpanId.get(location.hash.slice(1));
  renderRows();
  if (linked !== undefined) select(linked, true);
  // Timings a test can read: the page built, then its first frame painted (the next task after a frame).
  document.body.dataset.builtMs = String(Math.round(performance.now()));
  document.body.dataset.ready = "true";
  requestAnimationFrame(() => setTimeout(() => (document.body.dataset.paintedMs = String(Math.round(performance.now()))), 0));
}
