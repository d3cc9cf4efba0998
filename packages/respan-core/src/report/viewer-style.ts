/** The stylesheet inlined into every report (call pages and the index). */
export const VIEWER_STYLE = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --text: #1f2933; --muted: #667085; --line: #e4e7ec;
  --workflow: #64748b; --conversation: #4f46e5; --turn: #0284c7; --stt: #059669; --llm: #7c3aed;
  --tts: #d97706; --vad: #65a30d; --tool: #db2777; --client: #0d9488; --other: #94a3b8; --rest: #cbd5e1;
  --error: #dc2626; --warn: #c2410c; --label-width: 340px;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
#app { max-width: 1480px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 20px; margin: 0 0 2px; word-break: break-all; }
h2 { font-size: 14px; margin: 0 0 10px; }
h3 { font-size: 12px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.call-meta { color: var(--muted); margin: 0 0 12px; word-break: break-all; }
.chips { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 16px; }
.chip { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.chip-value { display: block; font-size: 18px; font-weight: 600; }
.chip-label { color: var(--muted); font-size: 12px; }
.chip-warn .chip-value { color: var(--warn); }
.chip-error .chip-value { color: var(--error); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 16px; align-items: start; }
.side-column { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; }
.empty { color: var(--muted); margin: 0; }
.details { max-height: 46vh; overflow: auto; }
.player audio { width: 100%; }
.player-note { color: var(--muted); margin: 6px 0 0; }
.player-error { color: var(--error); }
.legend { display: flex; flex-wrap: wrap; gap: 14px; color: var(--muted); margin-bottom: 8px; }
.legend-item { display: inline-flex; align-items: center; gap: 6px; }
.swatch { width: 12px; height: 12px; border-radius: 3px; display: inline-block; }
.part-stt { background: var(--stt); } .part-llm { background: var(--llm); }
.part-tts { background: var(--tts); } .part-rest { background: var(--rest); }
.chart { display: flex; gap: 8px; }
.chart-axis { display: flex; flex-direction: column; justify-content: space-between; height: 140px; color: var(--muted);
  font-size: 11px; text-align: right; min-width: 54px; }
.chart-bars { display: flex; align-items: flex-end; gap: 2px; min-height: 168px; overflow-x: auto; flex: 1;
  border-left: 1px solid var(--line); padding: 0 4px; }
.bar { display: flex; flex-direction: column; align-items: center; justify-content: flex-end; cursor: pointer; flex: none; position: relative; }
.bar:hover .bar-stack { outline: 2px solid #0002; }
.bar-stack { display: flex; flex-direction: column-reverse; width: 100%; border-radius: 3px 3px 0 0; overflow: hidden; }
.segment { width: 100%; min-height: 1px; }
.bar-label { font-size: 11px; color: var(--muted); height: 16px; }
.bar-flag { position: absolute; top: -16px; font-weight: 700; color: var(--warn); font-size: 12px; }
.bar-interrupted .bar-stack { box-shadow: 0 -3px 0 var(--warn); }
.wf-axis { display: flex; border-bottom: 1px solid var(--line); height: 22px; color: var(--muted); font-size: 11px; }
.wf-axis-label { width: var(--label-width); flex: none; padding-left: 6px; }
.wf-axis-track { position: relative; flex: 1; margin-right: 60px; }
.wf-tick { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.wf-tick:first-child { transform: none; }
.wf-scroll { max-height: 62vh; overflow-y: auto; overflow-x: hidden; position: relative; }
.wf-spacer { position: relative; }
.wf-row { position: absolute; left: 0; right: 0; height: 24px; display: flex; align-items: center; cursor: pointer;
  border-bottom: 1px solid #f0f2f5; }
.wf-row:hover { background: #f4f6fb; }
.wf-row.selected { background: #e8efff; }
.wf-label { width: var(--label-width); flex: none; display: flex; align-items: center; gap: 6px; overflow: hidden; white-space: nowrap; padding-right: 8px; }
.wf-name { overflow: hidden; text-overflow: ellipsis; }
.wf-duration { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; font-size: 12px; }
.wf-track { position: relative; flex: 1; height: 100%; margin-right: 60px; }
.wf-bar { position: absolute; top: 6px; height: 12px; border-radius: 3px; background: var(--other); min-width: 2px; }
.cat-workflow .wf-bar { background: var(--workflow); } .cat-conversation .wf-bar { background: var(--conversation); }
.cat-turn .wf-bar { background: var(--turn); } .cat-vad .wf-bar { background: var(--vad); } .cat-stt .wf-bar { background: var(--stt); }
.cat-llm .wf-bar { background: var(--llm); } .cat-tts .wf-bar { background: var(--tts); }
.cat-tool .wf-bar { background: var(--tool); } .cat-client .wf-bar { background: var(--client); }
.cat-turn .wf-name { font-weight: 600; }
.wf-row.has-error .wf-bar { background: var(--error); box-shadow: 0 0 0 2px #fecaca; }
.wf-row.has-error .wf-name { color: var(--error); font-weight: 600; }
.wf-overlay { position: absolute; top: 0; bottom: 0; left: var(--label-width); right: 60px; pointer-events: none; }
.wf-playhead { position: absolute; top: 0; bottom: 0; width: 2px; background: var(--error); }
.badge { font-size: 10px; font-weight: 600; padding: 1px 6px; border-radius: 9px; text-transform: uppercase; letter-spacing: .03em; }
.badge-interrupted { background: #ffedd5; color: var(--warn); }
.badge-error { background: #fee2e2; color: var(--error); }
.badge-service { background: #ccfbf1; color: #115e59; text-transform: none; }
.facts { display: grid; grid-template-columns: 80px 1fr; gap: 2px 10px; margin: 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; word-break: break-all; }
.error-text { color: var(--error); font-weight: 600; }
.attributes { width: 100%; border-collapse: collapse; font-size: 12px; }
.attributes th { text-align: left; vertical-align: top; font-weight: 500; color: var(--muted); padding: 3px 8px 3px 0; width: 42%; word-break: break-all; }
.attributes td { padding: 3px 0; border-top: 1px solid #f0f2f5; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.events { padding-left: 18px; margin: 0; }
.transcript { list-style: none; margin: 0; padding: 0; }
.line { padding: 8px 10px; border-radius: 8px; margin-bottom: 6px; cursor: pointer; border: 1px solid transparent; }
.line:hover { border-color: var(--line); }
.role-user { background: #ecfdf5; margin-right: 30px; }
.role-assistant { background: #f5f3ff; margin-left: 30px; }
.role-tool_call, .role-tool_result { background: #fdf2f8; margin-left: 30px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.line-interrupted { border-color: #fdba74; }
.line-meta { display: flex; gap: 8px; align-items: center; color: var(--muted); font-size: 11px; margin-bottom: 2px; }
.line-role { font-weight: 600; color: var(--text); }
.line-text { white-space: pre-wrap; word-break: break-word; }
table.calls { width: 100%; border-collapse: collapse; background: var(--panel); }
table.calls th, table.calls td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); }
table.calls td.num, table.calls th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.calls .bad { color: var(--error); font-weight: 600; }
@media (max-width: 1100px) { .layout { grid-template-columns: 1fr; } .side-column { position: static; max-height: none; } :root { --label-width: 240px; } }
`;
