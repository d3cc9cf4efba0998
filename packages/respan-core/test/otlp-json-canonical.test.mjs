// The canonical OTLP JSON correction (integer values as strings) works on the serializer's bytes: checked
// against a reference that parses the JSON and rewrites the values, over generated bodies full of the
// cases that could trip a byte-level rewrite (negative and exponent integers, non-finite values written as
// null, look-alike keys inside strings, multi-byte text, a body that is a view into a larger buffer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJsonBytes } from "../dist/esm/exporters/otlp-json.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What the canonical form must be: every number under `keys` written as a string. */
function reference(value, keys) {
  if (Array.isArray(value)) return value.map((item) => reference(item, keys));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, keys.includes(key) && typeof item === "number" ? String(item) : reference(item, keys)]),
  );
}

/** A deterministic generator, so a failure names a body that can be produced again. */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const TEXTS = ['plain', 'say "intValue":5 twice', '{"asInt":7}', "naïve café ☕ 🎙️", "back\\slash \"quoted\"", ""];
const NUMBERS = [0, 42, -4, 2 ** 53 - 1, 1e21, -1e-7, 0.5, Number.NaN, Number.POSITIVE_INFINITY];

function anyValue(next, depth) {
  const pick = next();
  if (pick < 0.3) return { intValue: NUMBERS[Math.floor(next() * NUMBERS.length)] };
  if (pick < 0.45) return { doubleValue: NUMBERS[Math.floor(next() * NUMBERS.length)] };
  if (pick < 0.7 || depth > 2) return { stringValue: TEXTS[Math.floor(next() * TEXTS.length)] };
  if (pick < 0.85) return { arrayValue: { values: [anyValue(next, depth + 1), anyValue(next, depth + 1)] } };
  return { kvlistValue: { values: [{ key: TEXTS[Math.floor(next() * TEXTS.length)], value: anyValue(next, depth + 1) }] } };
}

function body(seed) {
  const next = random(seed);
  const attributes = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => ({ key: `k${i}`, value: anyValue(next, 0) }));
  return {
    resourceSpans: [{ scopeSpans: [{ spans: [{ name: TEXTS[seed % TEXTS.length], attributes }] }] }],
    resourceMetrics: [{ scopeMetrics: [{ metrics: [{ sum: { dataPoints: [{ asInt: NUMBERS[seed % 4], attributes }] } }] }] }],
  };
}

test("integer values become strings, and nothing else in the body changes", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const request = body(seed);
    const bytes = encoder.encode(JSON.stringify(request));
    const parsedFromJson = JSON.parse(JSON.stringify(request));
    assert.deepEqual(JSON.parse(decoder.decode(canonicalJsonBytes(bytes, "traces"))), reference(parsedFromJson, ["intValue"]), `traces, seed ${seed}`);
    assert.deepEqual(JSON.parse(decoder.decode(canonicalJsonBytes(bytes, "metrics"))), reference(parsedFromJson, ["intValue", "asInt"]), `metrics, seed ${seed}`);
  }
});

test("the exact text of a rewritten value, and look-alikes inside strings left alone", () => {
  const text = JSON.stringify({ a: { intValue: -12 }, b: { intValue: 1e21 }, c: { stringValue: '"intValue":3' }, d: { intValue: null } });
  assert.equal(
    decoder.decode(canonicalJsonBytes(encoder.encode(text), "traces")),
    '{"a":{"intValue":"-12"},"b":{"intValue":"1e+21"},"c":{"stringValue":"\\"intValue\\":3"},"d":{"intValue":null}}',
  );
});

test("a body that is a view into a larger buffer is read within its bounds", () => {
  // The bytes around the view hold other values to quote: reading past its bounds would show them.
  const inner = encoder.encode('{"intValue":5}');
  const around = encoder.encode('{"intValue":9}');
  const outer = new Uint8Array(around.length * 2 + inner.length);
  outer.set(around, 0);
  outer.set(inner, around.length);
  outer.set(around, around.length + inner.length);
  const view = outer.subarray(around.length, around.length + inner.length);
  assert.equal(decoder.decode(canonicalJsonBytes(view, "traces")), '{"intValue":"5"}');
  assert.equal(decoder.decode(canonicalJsonBytes(encoder.encode('{"doubleValue":1.5}'), "traces")), '{"doubleValue":1.5}');
});
