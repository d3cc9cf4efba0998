// The dual-channel recorder and its sinks: a WAV a standard parser (wavefile) reads, user left / bot right
// on one wall-clock timeline, known tones found at the offsets they were played at; streaming and retried
// HTTP PUT uploads; bounded memory when a sink falls behind; consent-gated uploads.
import assert from "node:assert/strict";
import { readFile, readdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DualChannelRecorder,
  FileRecordingSink,
  HttpPutRecordingSink,
  RecordingUploadError,
} from "@respan/pipecat-session";
import { ConsentGateSink } from "../dist/esm/consent-gate.js";
import { readWav, silentWindows, toneChunks, toneSpans } from "./fixtures/session-support/audio.mjs";
import { startPutReceiver } from "./fixtures/session-support/put-receiver.mjs";
import { usePrivateTmpdir } from "./support/private-tmpdir.mjs";

const RATE = 24_000;
const T0 = 50_000; // the timeline's zero, in ms on the injected clock

let privateTmp;
let dir;
before(async () => {
  // Recordings and the consent gate's spools go there too: no other test file's spools are counted.
  privateTmp = await usePrivateTmpdir("session-recording-test-");
  dir = privateTmp.dir;
});
after(async () => {
  await privateTmp?.restore();
});

/** A recorder on a manual clock, writing to a file; `feed` helpers take times in seconds from T0. */
function fileRecorder(name, options = {}) {
  const file = path.join(dir, `${name}.wav`);
  const clock = { t: T0 };
  const recorder = new DualChannelRecorder({ sink: new FileRecordingSink(file), now: () => clock.t, ...options });
  recorder.start(T0, RATE);
  const at = (seconds) => T0 + seconds * 1000;
  return { file, clock, recorder, at };
}

/** Feeds a real-time stream of 20 ms chunks, each arriving when its own 20 ms begin (plus `jitterMs(k)`). */
/** @param {(k: number) => number} [jitterMs] */
function feedStream(recorder, channel, chunks, sampleRate, startMs, jitterMs = () => 0) {
  chunks.forEach((chunk, k) => {
    const time = startMs + 20 * k + jitterMs(k);
    if (channel === "user") recorder.addUserAudio(chunk, sampleRate, 1, time);
    else recorder.addBotAudio(chunk, sampleRate, 1, time);
  });
}

function assertSpansNear(actual, expected, toleranceSec, label) {
  assert.equal(actual.length, expected.length, `${label}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
  actual.forEach(([from, to], i) => {
    assert.ok(Math.abs(from - expected[i][0]) <= toleranceSec, `${label}: span ${i} starts at ${from}, expected ${expected[i][0]}`);
    assert.ok(Math.abs(to - expected[i][1]) <= toleranceSec, `${label}: span ${i} ends at ${to}, expected ${expected[i][1]}`);
  });
}

describe("DualChannelRecorder", () => {
  it("writes a stereo PCM16 WAV (user left, bot right) whose tones sit at the wall times they were played", async () => {
    const { file, recorder, at } = fileRecorder("tones");
    // The user speaks at 16 kHz (resampled to 24 kHz): 440 Hz from 1.0 s to 2.0 s, 700 Hz from 5.2 s to 5.6 s.
    feedStream(recorder, "user", toneChunks(440, 16_000, 20, 50), 16_000, at(1.0));
    // The bot's 1 s answer arrives as one burst at 3.0 s (faster than real time) and plays from there.
    for (const chunk of toneChunks(1200, RATE, 20, 50)) recorder.addBotAudio(chunk, RATE, 1, at(3.0));
    // Overlap: the bot speaks 5.0–6.0 s while the user talks over it 5.2–5.6 s; both are kept.
    for (const chunk of toneChunks(1800, RATE, 20, 50)) recorder.addBotAudio(chunk, RATE, 1, at(5.0));
    feedStream(recorder, "user", toneChunks(700, 16_000, 20, 20), 16_000, at(5.2));
    assert.equal(recorder.offsetSeconds(at(3.0)), 3);
    const summary = await recorder.close(at(7.0));

    assert.equal(summary.uri, new URL(`file://${file}`).href);
    assert.equal(summary.failed, false);
    assert.equal(summary.droppedBytes, 0);
    const bytes = await readFile(file);
    const { fmt, left, right } = readWav(bytes);
    assert.equal(fmt.numChannels, 2);
    assert.equal(fmt.sampleRate, RATE);
    assert.equal(fmt.bitsPerSample, 16);
    assert.equal(bytes.readUInt32LE(4), bytes.length - 8, "RIFF size patched with the real size");
    assert.equal(bytes.readUInt32LE(40), bytes.length - 44, "data size patched with the real size");
    assert.ok(Math.abs(left.length / RATE - 7.0) < 0.05, `duration ${left.length / RATE}`);

    assertSpansNear(toneSpans(left, RATE, 440), [[1.0, 2.0]], 0.05, "user 440 Hz");
    assertSpansNear(toneSpans(left, RATE, 700), [[5.2, 5.6]], 0.05, "user 700 Hz");
    assertSpansNear(toneSpans(right, RATE, 1200), [[3.0, 4.0]], 0.05, "bot 1200 Hz");
    assertSpansNear(toneSpans(right, RATE, 1800), [[5.0, 6.0]], 0.05, "bot 1800 Hz");
    assert.deepEqual(toneSpans(left, RATE, 1200), [], "no bot audio on the user channel");
    assert.deepEqual(toneSpans(right, RATE, 440), [], "no user audio on the bot channel");
    assert.equal(silentWindows(left, RATE, 0, 0.95), Math.floor(0.95 / 0.005), "silence before the user speaks");
  });

  it("keeps a real-time stream seamless despite late chunks, and pads a real pause with silence", async () => {
    const { file, recorder, at } = fileRecorder("jitter");
    // 1 s of tone in 20 ms chunks, each up to 15 ms late, then a 500 ms pause, then 0.5 s more.
    const jitter = (k) => ((k * 7) % 16);
    feedStream(recorder, "user", toneChunks(500, RATE, 20, 50), RATE, at(0.5), jitter);
    feedStream(recorder, "user", toneChunks(500, RATE, 20, 25), RATE, at(2.0));
    await recorder.close(at(3.0));
    const { left } = readWav(await readFile(file));
    assert.equal(silentWindows(left, RATE, 0.52, 1.48), 0, "no gap inside the jittered stream");
    assert.ok(silentWindows(left, RATE, 1.55, 1.95) >= 75, "the pause is silence");
    assertSpansNear(toneSpans(left, RATE, 500), [[0.5, 1.5], [2.0, 2.5]], 0.05, "user tone");
  });

  it("drops the bot audio that would have played after an interruption", async () => {
    const { file, recorder, at } = fileRecorder("interrupted");
    for (const chunk of toneChunks(900, RATE, 20, 150)) recorder.addBotAudio(chunk, RATE, 1, at(1.0)); // 3 s burst
    // The user barges in at 2.0 s: the interruption comes with the first of their audio.
    recorder.interruptBot(at(2.0));
    feedStream(recorder, "user", toneChunks(300, RATE, 20, 25), RATE, at(2.0));
    await recorder.close(at(4.0));
    const { right, left } = readWav(await readFile(file));
    assertSpansNear(toneSpans(right, RATE, 900), [[1.0, 2.0]], 0.05, "bot cut at the interruption");
    assertSpansNear(toneSpans(left, RATE, 300), [[2.0, 2.5]], 0.05, "user");
  });

  it("bounds what waits in memory: audio far ahead of the clock is dropped and counted", async () => {
    const { file, recorder, at } = fileRecorder("lead", { maxLeadSeconds: 2 });
    for (const chunk of toneChunks(900, RATE, 20, 250)) recorder.addBotAudio(chunk, RATE, 1, at(0)); // 5 s at once
    const summary = await recorder.close(at(1.0));
    assert.ok(summary.droppedBytes >= 2.9 * RATE * 2, `dropped ${summary.droppedBytes} bytes`);
    const { right } = readWav(await readFile(file));
    assertSpansNear(toneSpans(right, RATE, 900), [[0, 2.0]], 0.05, "the first 2 s are kept");
  });

  it("writes nothing at all when no audio arrived, and leaves nothing behind when discarded", async () => {
    const quiet = fileRecorder("quiet");
    const summary = await quiet.recorder.close(quiet.at(5));
    assert.equal(summary.uri, undefined);
    await assert.rejects(stat(quiet.file), { code: "ENOENT" });

    const discarded = fileRecorder("discarded");
    feedStream(discarded.recorder, "user", toneChunks(440, RATE, 20, 50), RATE, discarded.at(0));
    await discarded.recorder.discard();
    await assert.rejects(stat(discarded.file), { code: "ENOENT" });
  });

  it("replaces audio with silence (counted) when the sink falls behind, keeping the timeline and flat memory", async () => {
    const written = [];
    /** @type {(value?: unknown) => void} */
    let release;
    const gate = new Promise((resolve) => {
      release = resolve;
    });
    const slowSink = {
      async write(chunk) {
        await gate; // stalls until released: everything queued meanwhile is over budget
        written.push(Buffer.from(chunk));
      },
      close() {},
      abort() {},
    };
    const clock = { t: T0 };
    const recorder = new DualChannelRecorder({ sink: slowSink, now: () => clock.t, maxQueuedBytes: 64 * 1024 });
    recorder.start(T0, RATE);
    feedStream(recorder, "user", toneChunks(440, RATE, 20, 500), RATE, T0); // 10 s, ~960 KB of stereo
    release();
    const summary = await recorder.close(T0 + 10_000);
    const total = written.reduce((sum, chunk) => sum + chunk.length, 0);
    assert.equal(total, 44 + 10 * RATE * 4, "every frame of the timeline reached the sink");
    assert.ok(summary.droppedBytes > 500_000, `dropped ${summary.droppedBytes}`);
  });

  it("never throws into the caller when the sink fails, and reports it", async () => {
    const errors = [];
    const brokenSink = {
      write() {
        throw new Error("disk full");
      },
      close() {},
      abort() {},
    };
    const clock = { t: T0 };
    const recorder = new DualChannelRecorder({ sink: brokenSink, now: () => clock.t, onError: (error) => errors.push(error) });
    recorder.start(T0, RATE);
    feedStream(recorder, "user", toneChunks(440, RATE, 20, 100), RATE, T0);
    const summary = await recorder.close(T0 + 2000);
    assert.equal(summary.failed, true);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /disk full/);
  });

  it("rejects bad options with the option's name", () => {
    // @ts-expect-error the sink is missing: the constructor must name it
    assert.throws(() => new DualChannelRecorder({}), /DualChannelRecorder option "sink": expected a RecordingSink/);
    const sink = new FileRecordingSink(path.join(dir, "x.wav"));
    assert.throws(
      () => new DualChannelRecorder({ sink, sampleRate: 12.5 }),
      /DualChannelRecorder option "sampleRate": expected a sample rate in Hz \(an integer between 1000 and 384000\), got 12.5/,
    );
    assert.throws(() => new DualChannelRecorder({ sink, maxQueuedBytes: 0 }), /option "maxQueuedBytes": expected a positive integer, got 0/);
  });
});

/** Records 2 s (user tone 0–1 s, bot tone 1–2 s) into `sink`; returns the recorder's summary. */
async function recordTwoSeconds(sink) {
  const clock = { t: T0 };
  const recorder = new DualChannelRecorder({ sink, now: () => clock.t });
  recorder.start(T0, RATE);
  feedStream(recorder, "user", toneChunks(440, RATE, 20, 50), RATE, T0);
  feedStream(recorder, "bot", toneChunks(1200, RATE, 20, 50), RATE, T0 + 1000);
  return recorder.close(T0 + 2000);
}

describe("HttpPutRecordingSink", () => {
  it("streams the WAV with chunked transfer encoding to the presigned URL; the URI keeps no signature", async () => {
    const receiver = await startPutReceiver();
    try {
      const sink = new HttpPutRecordingSink(`${receiver.url}/bucket/call-1.wav?X-Amz-Signature=secret`, {
        headers: { "x-amz-acl": "private" },
      });
      assert.equal(sink.uri, `${receiver.url}/bucket/call-1.wav`);
      const summary = await recordTwoSeconds(sink);
      assert.equal(summary.failed, false);
      assert.equal(receiver.requests.length, 1);
      const [upload] = receiver.requests;
      assert.equal(upload.method, "PUT");
      assert.equal(upload.path, "/bucket/call-1.wav?X-Amz-Signature=secret");
      assert.equal(upload.headers["transfer-encoding"], "chunked");
      assert.equal(upload.headers["content-type"], "audio/wav");
      assert.equal(upload.headers["x-amz-acl"], "private");
      assert.equal(upload.completed, true);
      const body = upload.body;
      assert.equal(body.length, 44 + 2 * RATE * 4);
      assert.equal(body.readUInt32LE(40), 0xffffffff, "a live stream's header says 'size unknown'");
      // With the streaming sizes fixed up, a standard parser reads the same audio.
      const fixed = Buffer.from(body);
      fixed.writeUInt32LE(fixed.length - 8, 4);
      fixed.writeUInt32LE(fixed.length - 44, 40);
      const { left, right } = readWav(fixed);
      assertSpansNear(toneSpans(left, RATE, 440), [[0, 1.0]], 0.05, "user");
      assertSpansNear(toneSpans(right, RATE, 1200), [[1.0, 2.0]], 0.05, "bot");
    } finally {
      await receiver.close();
    }
  });

  it("after a refused live stream, uploads the whole recording again (exact header, Content-Length) with bounded retries", async () => {
    // The live stream is refused at once; the first retry gets a 503; the second succeeds.
    const receiver = await startPutReceiver({
      respond: ({ index }) => (index === 0 ? { status: 503, early: true } : index === 1 ? { status: 503 } : { status: 200 }),
    });
    try {
      const summary = await recordTwoSeconds(new HttpPutRecordingSink(`${receiver.url}/r.wav`, { retryDelayMs: 10 }));
      assert.equal(summary.failed, false);
      assert.equal(receiver.requests.length, 3);
      const final = receiver.requests[2];
      assert.equal(final.completed, true);
      assert.equal(final.headers["content-length"], String(44 + 2 * RATE * 4));
      const { fmt, right } = readWav(final.body);
      assert.equal(fmt.numChannels, 2);
      assertSpansNear(toneSpans(right, RATE, 1200), [[1.0, 2.0]], 0.05, "bot");
    } finally {
      await receiver.close();
    }
  });

  it("gives up after maxAttempts without throwing into the recorder (reported as failed)", async () => {
    const receiver = await startPutReceiver({ respond: () => ({ status: 500, early: true }) });
    try {
      const errors = [];
      const sink = new HttpPutRecordingSink(`${receiver.url}/r.wav`, { maxAttempts: 2, retryDelayMs: 5 });
      const clock = { t: T0 };
      const recorder = new DualChannelRecorder({ sink, now: () => clock.t, onError: (error) => errors.push(error) });
      recorder.start(T0, RATE);
      feedStream(recorder, "user", toneChunks(440, RATE, 20, 25), RATE, T0);
      const summary = await recorder.close(T0 + 500);
      assert.equal(summary.failed, true);
      assert.ok(errors[0] instanceof RecordingUploadError, String(errors[0]));
      assert.match(errors[0].message, /HTTP 500/);
      assert.equal(receiver.requests.length, 3, "the live stream and 2 attempts, no more");
    } finally {
      await receiver.close();
    }
  });

  it("with streaming: false sends nothing until the end, then one PUT with a Content-Length", async () => {
    const receiver = await startPutReceiver();
    try {
      const sink = new HttpPutRecordingSink(`${receiver.url}/once.wav`, { streaming: false });
      const clock = { t: T0 };
      const recorder = new DualChannelRecorder({ sink, now: () => clock.t });
      recorder.start(T0, RATE);
      feedStream(recorder, "user", toneChunks(440, RATE, 20, 50), RATE, T0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(receiver.requests.length, 0, "nothing sent while recording");
      await recorder.close(T0 + 1000);
      assert.equal(receiver.requests.length, 1);
      assert.equal(receiver.requests[0].headers["content-length"], String(44 + RATE * 4));
      assert.equal(readWav(receiver.requests[0].body).fmt.sampleRate, RATE);
    } finally {
      await receiver.close();
    }
  });

  it("abort cancels the upload in progress: the receiver never gets a complete request", async () => {
    const receiver = await startPutReceiver();
    try {
      const sink = new HttpPutRecordingSink(`${receiver.url}/aborted.wav`);
      const clock = { t: T0 };
      const recorder = new DualChannelRecorder({ sink, now: () => clock.t });
      recorder.start(T0, RATE);
      feedStream(recorder, "user", toneChunks(440, RATE, 20, 50), RATE, T0);
      await receiver.waitFor((requests) => requests.length === 1 && requests[0].body.length > 0);
      await recorder.discard();
      await receiver.waitFor((requests) => requests[0].aborted);
      assert.equal(receiver.completed().length, 0);
    } finally {
      await receiver.close();
    }
  });

  it("rejects a URL that is not http(s)", () => {
    assert.throws(
      () => new HttpPutRecordingSink("ftp://example.invalid/x.wav?sig=secret"),
      (/** @type {Error} */ error) => /option "url": expected an absolute http: or https: URL, got "a ftp: URL"/.test(error.message) && !error.message.includes("secret"),
    );
    assert.throws(() => new HttpPutRecordingSink("not a url"), /got "something else"/);
    assert.throws(
      () => new HttpPutRecordingSink("http://127.0.0.1/x", { maxAttempts: 0 }),
      /HttpPutRecordingSink option "maxAttempts": expected a positive integer, got 0/,
    );
  });
});

describe("ConsentGateSink (deferred upload)", () => {
  /** A sink recording what reached it. */
  function memorySink() {
    const state = { chunks: [], closed: false, aborted: false, header: undefined };
    return {
      state,
      uri: "memory://x",
      write(chunk) {
        state.chunks.push(Buffer.from(chunk));
      },
      close(header) {
        state.closed = true;
        state.header = header;
      },
      abort() {
        state.aborted = true;
      },
    };
  }

  async function spoolDirs() {
    return (await readdir(tmpdir())).filter((name) => name.startsWith("respan-recording-"));
  }

  it("without consent nothing reaches the sink, and the local spool is deleted at the end", async () => {
    const before = await spoolDirs();
    const target = memorySink();
    const gate = new ConsentGateSink(target);
    await gate.write(Buffer.from("RIFF-header-and-audio"));
    assert.equal((await spoolDirs()).length, before.length + 1, "held in a local spool");
    await gate.close(Buffer.from("final"));
    assert.deepEqual(target.state.chunks, []);
    assert.equal(target.state.closed, false);
    assert.equal(target.state.aborted, true);
    assert.deepEqual(await spoolDirs(), before);
    assert.equal(gate.grant(), false, "consent after the end is too late");
  });

  it("on consent, what was held is flushed in order, then the recording streams through", async () => {
    const target = memorySink();
    const gate = new ConsentGateSink(target);
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
    for (const part of parts.slice(0, 30)) await gate.write(part);
    assert.equal(target.state.chunks.length, 0);
    assert.equal(gate.grant(), true);
    for (const part of parts.slice(30)) await gate.write(part);
    await gate.close(Buffer.from("hdr"));
    assert.deepEqual(Buffer.concat(target.state.chunks), Buffer.concat(parts));
    assert.equal(target.state.closed, true);
    assert.equal(target.state.header.toString(), "hdr");
  });
});
