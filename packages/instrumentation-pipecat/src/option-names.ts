/*
 * The options PipecatInstrumentation knows, and the error for any other: a typo such as `captureContnet`
 * must fail loudly, not leave content capture at its default. (The same rule as @respan/core's client;
 * this package imports no vendor code, so it has its own few lines.)
 */

const KNOWN_OPTIONS: readonly string[] = [
  // InstrumentationConfig of @opentelemetry/instrumentation
  "enabled",
  // PipecatInstrumentationConfig
  "moduleNames",
  "runtimeMapping",
  "captureContent",
  "maxContentLength",
  "turnEndTimeoutMs",
  "attributeHook",
  "debugLogFilename",
  "conversationIdleTimeoutMs",
  "maxConversations",
  "sessionCapture",
];

/** Throws `PipecatInstrumentation: unknown option "x" (did you mean "y"?)` for the first unknown key. */
export function rejectUnknownOptions(config: object): void {
  for (const key of Object.keys(config)) {
    if (KNOWN_OPTIONS.includes(key)) continue;
    const nearest = nearestOption(key);
    const hint = nearest === undefined ? `known options: ${KNOWN_OPTIONS.join(", ")}` : `did you mean "${nearest}"?`;
    throw new TypeError(`PipecatInstrumentation: unknown option "${key}" (${hint})`);
  }
}

function nearestOption(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of KNOWN_OPTIONS) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  // Beyond about a third of the name, a "suggestion" is noise rather than help.
  return bestDistance <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length];
}
