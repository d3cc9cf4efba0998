/*
 * The shape every kind of service span shares (stt, llm, tts, execute_tool, vad, ...). A kind is one file
 * in this folder exporting a SpanKindDefinition, registered in ./registry.ts; the ConversationTracer drives
 * every kind through this interface and knows none by name.
 */
import type { PipecatSpanKind } from "@respan/semconv-pipecat";
import type { FrameKind, MetricKind } from "../class-names.js";
import type { Clock } from "../internal-types.js";
import type { ServiceCall } from "../service-calls.js";
import type { SpanFactory, TracedSpan } from "./traced-span.js";

/** What the conversation offers its span kinds. */
export interface ConversationScope {
  readonly factory: SpanFactory;
  readonly clock: Clock;
  /** Where a new span starts: the open turn, else the conversation. */
  readonly parent: TracedSpan;
  /** When the user's speech in progress really started (back-dated by the VAD); undefined when not speaking. */
  readonly speechStartMs: number | undefined;
  /** When the user's last speech started, speaking or not (undefined before the first). */
  readonly lastSpeechStartMs: number | undefined;
  /** Whether the process opted in to OpenTelemetry's newest GenAI attributes (see genai-latest.ts). */
  readonly latestGenAi: boolean;
  /** The span a service's request came from (the llm run asking for a tool), else `parent`. */
  requestingSpan(service: object): TracedSpan;
  /** Makes `service` findable by its name (metrics and errors name their processor). */
  rememberService(service: object): void;
  /** Reports an error thrown in a timer callback of the kind (no caller is there to receive it). */
  timerError(error: unknown): void;
}

/** One conversation's state of one span kind. Every method runs on the pipeline's path: keep it cheap. */
export interface SpanKindTracker {
  /** The first hop of a frame of one of the definition's `frames`. `atMs` is the hop's wall time. */
  onFrame(kind: FrameKind, frame: object, source: object, atMs: number): void;
  /** Every hop of a frame of the definition's `everyHopFrames`, towards `destination` (when known). */
  onEveryHop?(kind: FrameKind, frame: object, destination: object): void;
  /** A time-to-first-byte metric of a service with the definition's `serviceRole`. */
  ttfb?(service: object, seconds: number): void;
  /** A usage metric of the definition's `usageMetric` kind (`value` as the runtime sent it). */
  usage?(service: object, value: unknown): void;
  /** A non-fatal ErrorFrame names `service`: fail its open span. True when there was one to fail. */
  failOpen?(service: object, error: unknown, atMs: number): boolean;
  /** The service's open (or last) span, when work it asks for should nest under it. */
  requestingSpan?(service: object): TracedSpan | undefined;
  /** The conversation ends at `atMs`: end every open span (at `atMs` or earlier, never later). */
  close(atMs: number): void;
}

/**
 * A runtime method the kind wraps: `begin` returns the context the call runs in (its span's) and what
 * to record when it settles, or undefined to call the original untouched.
 */
export interface ServiceCallDefinition<T extends SpanKindTracker> {
  /** The class, by name anywhere in a prototype chain, that defines the method. */
  className: string;
  method: string;
  begin(tracker: T, service: object, args: ArrayLike<unknown>): ServiceCall | undefined;
}

export interface SpanKindDefinition<T extends SpanKindTracker = SpanKindTracker> {
  name: PipecatSpanKind;
  /** Frames whose first hop (per conversation) goes to `onFrame`. */
  frames: readonly FrameKind[];
  /** Frames of which every hop goes to `onEveryHop` (a frame's path matters, not only its content). */
  everyHopFrames?: readonly FrameKind[];
  /** The services this kind traces (a Role bit): their TTFB metrics go to `ttfb`. */
  serviceRole?: number;
  /** The turn attribute that records the first TTFB of this kind in a turn. */
  turnTtfbKey?: string;
  /** The usage metrics data this kind records. */
  usageMetric?: MetricKind;
  serviceCalls?: ReadonlyArray<ServiceCallDefinition<T>>;
  /** The kind's state for one conversation. */
  create(scope: ConversationScope): T;
}

/** Types a definition so that its service calls receive its own tracker type. */
export function defineSpanKind<T extends SpanKindTracker>(definition: SpanKindDefinition<T>): SpanKindDefinition<T> {
  return definition;
}
