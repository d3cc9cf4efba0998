/**
 * User-facing warnings of session capture (a pipeline without aggregators, an abort that cannot withhold
 * spans, a failed recording upload): Node process warnings, each code once per process, so they are
 * visible by default, never spam a busy server, and never go through console (which log capture records).
 */
const warned = new Set<string>();

export function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  try {
    process.emitWarning(message, { code });
  } catch {
    // Nothing sensible to do if even that fails.
  }
}
