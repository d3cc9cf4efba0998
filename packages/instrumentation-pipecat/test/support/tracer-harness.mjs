// Drives a ConversationTracer (the runtime-free state machine) with fake hops, on a fake clock.
import { ROOT_CONTEXT, diag } from "@opentelemetry/api";
import { frameKindOf } from "../../dist/esm/class-names.js";
import { ConversationTracer } from "../../dist/esm/conversation-tracer.js";
import { ErrorReporter } from "../../dist/esm/error-reporter.js";
import { SERVICE_CALL_TARGETS } from "../../dist/esm/span-dispatch.js";
import { FakeClock } from "./fake-clock.mjs";
import * as P from "./fake-pipecat.mjs";
import { inMemoryTracing } from "../../../../test/support/otel.cjs";

export const DOWN = 1;
export const UP = 2;

export function createHarness(options = {}) {
  const { exporter, tracer } = inMemoryTracing();
  const clock = options.clock ?? new FakeClock();
  const errors = new ErrorReporter(diag);
  const reported = [];
  errors.report = (where, error) => reported.push({ where, error });
  const conversation = new ConversationTracer({
    tracer,
    instruments: options.instruments,
    parentContext: options.parentContext ?? ROOT_CONTEXT,
    conversationId: options.conversationId ?? "conv-1",
    additionalAttributes: options.additionalAttributes,
    settings: {
      captureContent: options.captureContent ?? true,
      maxContentLength: options.maxContentLength ?? 4096,
      turnEndTimeoutMs: options.turnEndTimeoutMs ?? 2500,
      attributeHook: options.attributeHook,
      sessionCapture: options.sessionCapture,
      latestGenAi: options.latestGenAi ?? false,
    },
    clock,
    errors,
  });
  const transport = new P.Transport("transport#0");
  const stt = new P.DeepgramSTTService();
  const llm = new P.OpenAILLMService();
  const tts = new P.CartesiaTTSService();
  const out = new P.Transport("output#0");
  // transport -> stt -> llm -> tts -> out
  const chain = [transport, stt, llm, tts, out];
  for (let i = 0; i < chain.length - 1; i++) {
    chain[i].next = chain[i + 1];
    chain[i + 1].prev = chain[i];
  }
  // Which frames the conversation has seen, as the HopRouter tells it.
  const seen = new WeakSet();
  /** One hop: `source` pushes `frame` (destination = its neighbour in that direction). */
  /** @param {typeof DOWN | typeof UP} [direction] */
  const hop = (source, frame, direction = DOWN) => {
    const destination = direction === UP ? source.prev : source.next;
    if (frame instanceof P.InputAudioRawFrame || frame instanceof P.OutputAudioRawFrame) {
      conversation.onAudio(frame, frameKindOf(frame));
    } else {
      const firstSight = !seen.has(frame);
      seen.add(frame);
      conversation.onHop(source, frame, direction, frameKindOf(frame), destination, true, firstSight);
    }
    return frame;
  };
  /**
   * A wrapped service method called on `service` (what the instrumentation's wrapper does): the call's
   * `{ context, settled(error, failed) }`, or undefined when it runs untraced.
   */
  const serviceCall = (method, service, ...args) => {
    const target = SERVICE_CALL_TARGETS.find((t) => t.method === method);
    if (target === undefined) throw new Error(`no span kind wraps ${method}`);
    return target.begin(conversation, service, args);
  };
  const spans = () => exporter.getFinishedSpans();
  return { conversation, clock, exporter, spans, hop, serviceCall, transport, stt, llm, tts, out, reported };
}
