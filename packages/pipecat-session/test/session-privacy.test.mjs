// The compliance guarantees, end to end through @respan/core's client (its trace hold in front of the
// exporters), a loopback OTLP collector and a loopback presigned-URL PUT receiver:
// - abort(): not one byte of the session leaves (no span, no log, no audio), while other sessions flow;
// - deferUpload: no audio without consent; with consent, the held audio (greeting included) is uploaded;
// - abortRecording(): no audio, everything else sent.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { after, before, describe, it } from "node:test";
import * as pipecat from "pipecat-ts";
import { Respan } from "@respan/core";
import { PipecatInstrumentation } from "@respan/instrumentation-pipecat";
import { attachSession, createSessionCapture, HttpPutRecordingSink } from "@respan/pipecat-session";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { readWav } from "./fixtures/session-support/audio.mjs";
import { startPutReceiver } from "./fixtures/session-support/put-receiver.mjs";
import { usePrivateTmpdir } from "./support/private-tmpdir.mjs";

/** @type {Awaited<ReturnType<typeof startOtlpReceiver>>} */
let collector;
/** @type {Awaited<ReturnType<typeof startPutReceiver>>} */
let uploads;
/** @type {Respan} */
let respan;
let privateTmp;
const runs = {};

/** Runs the demo conversation with a session whose audio goes to the PUT receiver. */
/** @param {(session: import("@respan/pipecat-session").ConversationSession, userTurns: number) => void} [during] */
async function runSession(sessionId, options = {}, during = () => {}) {
  const demo = pipecat.createDemoConversation({ conversationId: `conversation-${sessionId}` });
  const session = attachSession(demo.task, {
    sessionId,
    mode: "production",
    captureLogs: true,
    customMetadata: { marker: `metadata-${sessionId}` },
    recordingSink: () =>
      new HttpPutRecordingSink(`${uploads.url}/recordings/${sessionId}.wav?signature=s3cr3t`, {
        streaming: options.streaming ?? true,
        retryDelayMs: 10,
      }),
    ...options.session,
  });
  let userTurns = 0;
  demo.userAggregator.on("onUserTurnStopped", () => {
    userTurns += 1;
    during(session, userTurns);
  });
  const silent = console.info;
  console.info = () => {};
  try {
    demo.userAggregator.on("onUserTurnStopped", (_aggregator, message) => console.info(`log-${sessionId}: ${message.content}`));
    await demo.task.run();
  } finally {
    console.info = silent;
  }
  const summary = await session.whenComplete();
  return { demo, session, summary };
}

const spansOf = (sessionId) => collector.spans().filter((span) => span.attributes["session.id"] === sessionId);
const traceOf = (run) => run.summary.traceId;
const uploadsOf = (sessionId) => uploads.requests.filter((request) => request.path.startsWith(`/recordings/${sessionId}.wav`));
const spoolDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith("respan-recording-"));

before(async () => {
  // Only this file's spools are counted, not those of test files running in parallel.
  privateTmp = await usePrivateTmpdir("session-privacy-test-");
  collector = await startOtlpReceiver();
  uploads = await startPutReceiver();
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${collector.url}/v1/traces`;
  const instrumentation = new PipecatInstrumentation({ sessionCapture: createSessionCapture() });
  respan = new Respan({
    appName: "session-privacy-test",
    instrumentations: [instrumentation],
    tracesDir: false,
    batching: false,
    flushOnExit: false,
  });
  // ESM imports bypass the require hook: hand the instrumentation the runtime module.
  instrumentation.manuallyInstrument(pipecat);
  const spoolsBefore = await spoolDirs();

  runs.control = await runSession("control");
  runs.aborted = await runSession("aborted", { streaming: false }, (session, turn) => {
    if (turn === 2) session.abort();
  });
  runs.abortedStreaming = await runSession("aborted-streaming", {}, (session, turn) => {
    if (turn === 2) session.abort();
  });
  runs.noConsent = await runSession("no-consent", { session: { deferUpload: true } });
  runs.consent = await runSession("consent", { session: { deferUpload: true } }, (session, turn) => {
    if (turn === 2) assert.equal(session.startAudioUpload(), true);
  });
  runs.recordingAborted = await runSession("recording-aborted", {}, (session, turn) => {
    if (turn === 1) session.abortRecording();
  });
  await respan.flush();
  runs.spoolsLeft = (await spoolDirs()).filter((name) => !spoolsBefore.includes(name));
});

after(async () => {
  await respan?.shutdown();
  delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  await collector?.close();
  await uploads?.close();
  await privateTmp?.restore();
});

describe("a completed session (control)", () => {
  it("reaches the collector with its session attributes, and its recording is uploaded", async () => {
    const spans = spansOf("control");
    assert.equal(spans.length, 1, "the conversation span carries the session id");
    const traceSpans = collector.spans().filter((span) => span.traceId === traceOf(runs.control));
    assert.ok(traceSpans.filter((span) => span.name === "turn").length === 4, "its turns were exported too");
    const [conversation] = spans;
    assert.equal(conversation.attributes["session.metadata.marker"], "metadata-control");
    assert.equal(conversation.attributes["recording.uri"], `${uploads.url}/recordings/control.wav`, "no signature on the span");
    assert.ok(conversation.events.some((event) => event.name === "log"));
    const [upload] = uploadsOf("control");
    assert.equal(upload.completed, true);
    assert.ok(upload.body.length > 44 + 24_000 * 4 * 10, "more than 10 s of audio");
  });
});

describe("abort()", () => {
  it("sends not one byte of the session: no span, no log, no metadata, no audio", () => {
    const traceId = traceOf(runs.aborted);
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.equal(runs.aborted.summary.outcome, "aborted");
    assert.equal(collector.spans().filter((span) => span.traceId === traceId).length, 0);
    const traceIdBytes = Buffer.from(traceId, "hex");
    for (const request of collector.requests) {
      assert.equal(request.body.includes(traceIdBytes), false, "the trace id in an export");
      for (const needle of ["metadata-aborted", "log-aborted", "conversation-aborted"]) {
        assert.equal(request.body.includes(needle), false, `found ${JSON.stringify(needle)} in an export`);
      }
    }
    assert.equal(uploadsOf("aborted").length, 0, "no upload was even started");
  });

  it("cancels a recording upload already streaming: it never completes", () => {
    assert.equal(collector.spans().filter((span) => span.traceId === traceOf(runs.abortedStreaming)).length, 0);
    const requests = uploadsOf("aborted-streaming");
    assert.ok(requests.length <= 1);
    for (const request of requests) assert.equal(request.completed, false);
  });

  it("leaves the other sessions' exports intact", () => {
    for (const id of ["control", "no-consent", "consent", "recording-aborted"]) {
      assert.equal(spansOf(id).length, 1, `session ${id} was exported`);
    }
  });
});

describe("deferUpload", () => {
  it("without consent: no audio leaves, the local copy is deleted, audio_consent_granted=false", () => {
    assert.equal(uploadsOf("no-consent").length, 0);
    const [conversation] = spansOf("no-consent");
    assert.equal(conversation.attributes["audio_consent_granted"], false);
    assert.equal(conversation.attributes["recording.status"], "not_consented");
    assert.equal(conversation.attributes["recording.uri"], undefined);
    assert.equal(runs.noConsent.summary.audioConsentGranted, false);
    assert.equal(runs.noConsent.summary.recording.status, "not_consented");
    assert.deepEqual(runs.spoolsLeft, [], "no spool file left behind");
    assert.ok(conversation.attributes["conversation.transcript"], "the rest of the record is sent");
  });

  it("with consent mid-call: the held audio from the first second on is uploaded, audio_consent_granted=true", () => {
    const [conversation] = spansOf("consent");
    assert.equal(conversation.attributes["audio_consent_granted"], true);
    assert.equal(conversation.attributes["recording.status"], "recorded");
    const completed = uploadsOf("consent").filter((request) => request.completed);
    assert.equal(completed.length, 1);
    const body = Buffer.from(completed[0].body);
    body.writeUInt32LE(body.length - 8, 4);
    body.writeUInt32LE(body.length - 44, 40);
    const { right } = readWav(body);
    const greeting = right.subarray(0, 24_000 * 2); // the bot greets in the first seconds, long before consent
    assert.ok(greeting.some((sample) => sample !== 0), "audio recorded before consent was uploaded");
    assert.ok(Math.abs(right.length / 24_000 - conversation.attributes["recording.duration_seconds"]) < 0.1);
  });
});

describe("abortRecording()", () => {
  it("discards the audio and sends everything else", () => {
    assert.equal(uploadsOf("recording-aborted").filter((request) => request.completed).length, 0);
    const [conversation] = spansOf("recording-aborted");
    assert.equal(conversation.attributes["recording.status"], "discarded");
    assert.equal(conversation.attributes["recording.uri"], undefined);
    assert.equal(JSON.parse(conversation.attributes["conversation.transcript"]).entries.length, 9);
    assert.equal(runs.recordingAborted.summary.recording.status, "discarded");
  });
});
