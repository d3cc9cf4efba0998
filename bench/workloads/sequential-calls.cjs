"use strict";
// Many short traced calls one after another in one process, as a voice server handles them: the settled
// heap after call --checkpoint and after the last call, and whether anything of a finished call is still
// reachable — its task, pipeline, services, LLM context and conversation span are watched through
// WeakRefs, which must all be cleared once the call is over and its spans exported.
// Usage: node --expose-gc sequential-calls.cjs --calls N --checkpoint N --turns N
const { createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { nextTurnOfEventLoop, parseArgs, positiveIntegerArg, runWorkload, settledHeapBytes } = require("../lib/child-result.cjs");

/** WeakRefs to the conversation spans started while `watching` is on. */
class ConversationSpanWatcher {
  watching = false;
  refs = [];

  onStart(span) {
    if (this.watching && span.name === "conversation") this.refs.push(new WeakRef(span));
  }

  onEnd() {}

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}

runWorkload(async () => {
  const args = parseArgs();
  const calls = positiveIntegerArg(args, "calls");
  const checkpoint = positiveIntegerArg(args, "checkpoint");
  const turns = positiveIntegerArg(args, "turns");
  const spanWatcher = new ConversationSpanWatcher();
  const runtime = loadRuntime("otel", { spanProcessors: [spanWatcher] });

  const heapAfterCall = {};
  let watched;
  for (let n = 1; n <= calls; n++) {
    const call = createVoiceCall(runtime.pipecat, { turns, conversationId: `call-${n}` });
    if (n === checkpoint) {
      watched = { task: call.task, pipeline: call.pipeline, llm: call.llm, tts: call.tts, stt: call.stt, context: call.context };
      for (const key of Object.keys(watched)) watched[key] = new WeakRef(watched[key]);
      spanWatcher.watching = true;
    }
    await call.task.run();
    spanWatcher.watching = false;
    if (n === checkpoint || n === calls) {
      await runtime.flush();
      await nextTurnOfEventLoop();
      heapAfterCall[n] = settledHeapBytes();
    }
  }
  if (spanWatcher.refs.length !== 1) throw new Error(`expected one conversation span in call ${checkpoint}, saw ${spanWatcher.refs.length}`);
  watched.conversationSpan = spanWatcher.refs[0];
  runtime.counter.assertTraced("sequential-calls");
  if (runtime.counter.counts.conversation !== calls) {
    throw new Error(`expected ${calls} conversation spans, got ${runtime.counter.counts.conversation}`);
  }
  const stillReachable = Object.keys(watched).filter((key) => watched[key].deref() !== undefined);
  return { calls, checkpoint, turnsPerCall: turns, heapAfterCall, stillReachable, spans: runtime.counter.counts };
});
