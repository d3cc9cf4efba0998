// The human-readable table: one row per figure, with its target and whether it was met.

/**
 * @typedef {{ figure: string, value: string, target?: string, met?: boolean }} Row
 *   `met` undefined: a figure without a target (information).
 */

/** @param {Row[]} rows */
export function formatTable(rows) {
  const cells = rows.map((row) => [row.figure, row.value, row.target ?? "—", row.met === undefined ? "info" : row.met ? "pass" : "MISSED"]);
  const header = ["figure", "value", "target", "result"];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (cell) => cell.map((text, column) => text.padEnd(widths[column])).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
