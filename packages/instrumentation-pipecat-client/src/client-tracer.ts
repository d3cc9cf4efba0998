/**
 * Follows one PipecatClient through its public events and turns them into spans:
 *
 *   client_session                 connect → disconnect
 *   └─ client_turn                 user starts speaking (or the bot starts on its own) → bot stops
 *      ├─ user_speech              user started → stopped speaking
 *      ├─ response                 user stopped speaking → bot started speaking: the latency the user felt
 *      └─ bot_speech               bot started → stopped speaking
 *
 * Parents are explicit (the session's and the turn's contexts), never the ambient context: client events
 * arrive from WebSocket callbacks, where no useful context is active. Nothing here throws into the app:
 * every handler is guarded, and a failure is reported once on the console.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import * as names from "@respan/semconv-pipecat";
import { metricEntries } from "./server-metrics.js";
import type { ResolvedOptions } from "./options.js";

/** What this package needs of a client: the event emitter that `PipecatClient` is. */
export interface ObservableClient {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off?(event: string, listener: (...args: never[]) => void): unknown;
  removeListener?(event: string, listener: (...args: never[]) => void): unknown;
  readonly transport?: unknown;
}

const TRACER_NAME = "@respan/instrumentation-pipecat-client";
// Not "initializing"/"initialized": initDevices() passes through those, possibly long before a connection.
const CONNECTING_STATES = new Set(["authenticating", "authenticated", "connecting"]);
const propagator = new W3CTraceContextPropagator();

interface OpenTurn {
  span: Span;
  context: Context;
  userSpeech: Span | undefined;
  userStartedAt: number;
  response: Span | undefined;
  userStoppedAt: number | undefined;
  botSpeech: Span | undefined;
  botText: string[];
  userTranscript: string[];
  /** The bot started speaking in this turn: a later user start is an interruption or a new turn. */
  botSpoke: boolean;
}

interface OpenSession {
  span: Span;
  context: Context;
  startedAt: number;
  connectedAt: number | undefined;
  endReason: string | undefined;
  turns: number;
  /** How long the server's VAD waits in silence before it says the user stopped (bot-ready's about). */
  vadStopMillis: number;
}

export class ClientTracer {
  private readonly tracer: Tracer;
  private session: OpenSession | undefined;
  private turn: OpenTurn | undefined;
  private readonly detachers: Array<() => void> = [];
  private failureReported = false;

  constructor(
    private readonly client: ObservableClient,
    private readonly options: ResolvedOptions,
  ) {
    const provider: TracerProvider = options.tracerProvider ?? trace.getTracerProvider();
    this.tracer = provider.getTracer(TRACER_NAME);
    this.listen("transportStateChanged", (state: unknown) => this.onTransportState(state));
    this.listen("connected", () => this.onConnected());
    this.listen("botReady", (data: unknown) => this.onBotReady(data));
    this.listen("botDisconnected", () => this.setEndReason("bot_disconnected"));
    this.listen("disconnected", () => this.endSession(this.session?.endReason ?? "disconnected"));
    this.listen("error", (message: unknown) => this.onError(message));
    this.listen("userStartedSpeaking", () => this.onUserStartedSpeaking());
    this.listen("userStoppedSpeaking", () => this.onUserStoppedSpeaking());
    this.listen("userTranscript", (data: unknown) => this.onUserTranscript(data));
    this.listen("metrics", (data: unknown) => this.onMetrics(data));
    this.listen("botStartedSpeaking", () => this.onBotStartedSpeaking());
    this.listen("botStoppedSpeaking", () => this.onBotStoppedSpeaking());
    this.listen("botTtsText", (data: unknown) => this.onBotText(data));
    this.listen("llmFunctionCallInProgress", (data: unknown) => this.onFunctionCall(data, "in_progress"));
    this.listen("llmFunctionCallStopped", (data: unknown) => this.onFunctionCall(data, "stopped"));
  }

  /** The W3C `traceparent` of the current session, starting the session span if none is open. */
  traceparent(): string {
    const session = this.ensureSession();
    const carrier: Record<string, string> = {};
    propagator.inject(session.context, carrier, {
      set: (target, key, value) => {
        (target as Record<string, string>)[key] = value;
      },
    });
    return carrier["traceparent"] ?? "";
  }

  /** Ends every open span now (the page is going away, or tracing is being removed). */
  endSession(reason: string): void {
    this.guard(() => {
      const session = this.session;
      if (session === undefined) return;
      this.endTurn(true);
      session.span.setAttribute(names.ATTR_CLIENT_END_REASON, reason);
      session.span.setAttribute(names.ATTR_CLIENT_TURN_COUNT, session.turns);
      session.span.end();
      this.session = undefined;
      if (this.options.flushOnSessionEnd) void this.flush();
    });
  }

  /** Flushes the tracer provider, if it can be flushed, within `flushTimeoutMillis`. */
  async flush(): Promise<void> {
    const provider = (this.options.tracerProvider ?? trace.getTracerProvider()) as { forceFlush?: () => Promise<void> };
    // The global provider is a proxy; the real one behind it is what can flush.
    const delegate = (provider as { getDelegate?: () => { forceFlush?: () => Promise<void> } }).getDelegate?.() ?? provider;
    if (typeof delegate.forceFlush !== "function") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.flushTimeoutMillis);
    });
    try {
      await Promise.race([delegate.forceFlush().catch((error: unknown) => this.reportFailure(error)), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  detach(): void {
    this.endSession("detached");
    for (const detach of this.detachers.splice(0)) detach();
  }

  private listen(event: string, handler: (arg: unknown) => void): void {
    const listener = (arg: unknown) => this.guard(() => handler(arg));
    const client = this.client;
    client.on(event, listener as (...args: never[]) => void);
    this.detachers.push(() => {
      if (typeof client.off === "function") client.off(event, listener as (...args: never[]) => void);
      else client.removeListener?.(event, listener as (...args: never[]) => void);
    });
  }

  private ensureSession(): OpenSession {
    if (this.session !== undefined) return this.session;
    const attributes: Attributes = { ...this.options.sessionAttributes };
    const transport = this.options.transportName ?? transportName(this.client.transport);
    if (transport !== undefined) attributes[names.ATTR_CLIENT_TRANSPORT] = transport;
    const span = this.tracer.startSpan(
      names.SPAN_CLIENT_SESSION,
      { kind: SpanKind.CLIENT, attributes },
      ROOT_CONTEXT,
    );
    this.session = {
      span,
      context: trace.setSpan(ROOT_CONTEXT, span),
      startedAt: Date.now(),
      connectedAt: undefined,
      endReason: undefined,
      turns: 0,
      vadStopMillis: 0,
    };
    return this.session;
  }

  private onTransportState(state: unknown): void {
    if (typeof state !== "string") return;
    if (CONNECTING_STATES.has(state)) this.ensureSession();
    else if (state === "error") this.setEndReason("error");
  }

  private onConnected(): void {
    const session = this.ensureSession();
    session.connectedAt = Date.now();
    session.span.setAttribute(names.ATTR_CLIENT_CONNECT_SECONDS, (session.connectedAt - session.startedAt) / 1000);
  }

  private onBotReady(data: unknown): void {
    const session = this.ensureSession();
    const now = Date.now();
    session.span.setAttribute(names.ATTR_CLIENT_BOT_READY_SECONDS, (now - session.startedAt) / 1000);
    // A server that puts its wall clock in bot-ready's `about` lets the client estimate the offset between
    // the two clocks, NTP-style: the server read its clock about halfway between client-ready and bot-ready.
    const about = (data as { about?: { server_time_ms?: unknown; vad?: { stop_secs?: unknown } } } | undefined)?.about;
    const stopSecs = about?.vad?.stop_secs;
    if (typeof stopSecs === "number" && stopSecs >= 0 && stopSecs <= 10) session.vadStopMillis = stopSecs * 1000;
    const serverTime = about?.server_time_ms;
    if (typeof serverTime === "number" && Number.isFinite(serverTime) && session.connectedAt !== undefined) {
      const roundTrip = now - session.connectedAt;
      session.span.setAttribute(names.ATTR_CLIENT_CLOCK_RTT_MS, roundTrip);
      session.span.setAttribute(names.ATTR_CLIENT_CLOCK_OFFSET_MS, Math.round(serverTime - (session.connectedAt + roundTrip / 2)));
    }
  }

  private onError(message: unknown): void {
    const data = (message as { data?: { error?: unknown; message?: unknown; fatal?: unknown } } | undefined)?.data;
    const fatal = data?.fatal === true;
    const text = typeof data?.error === "string" ? data.error : typeof data?.message === "string" ? data.message : undefined;
    const session = this.ensureSession();
    const recorded = this.options.captureContent && text !== undefined ? this.cap(text) : "error reported by the server";
    session.span.addEvent(names.EVENT_CLIENT_ERROR, { [names.ATTR_CLIENT_ERROR_MESSAGE]: recorded, [names.ATTR_CLIENT_ERROR_FATAL]: fatal });
    if (fatal) {
      session.span.setStatus({ code: SpanStatusCode.ERROR, message: recorded });
      this.setEndReason("error");
    }
  }

  private onUserStartedSpeaking(): void {
    const turn = this.turn;
    if (turn !== undefined && turn.botSpoke) {
      // The user speaks over the bot (or after it): that turn is over.
      const interrupted = turn.botSpeech !== undefined;
      if (interrupted) {
        turn.botSpeech?.setAttribute(names.ATTR_CLIENT_BOT_SPEECH_INTERRUPTED, true);
        turn.span.setAttribute(names.ATTR_CLIENT_TURN_WAS_INTERRUPTED, true);
      }
      this.endTurn(false);
    }
    const current = this.turn ?? this.startTurn();
    if (current.response !== undefined) {
      // The user spoke again before the bot answered: the same turn goes on, that wait is abandoned.
      current.response.setAttribute(names.ATTR_CLIENT_RESPONSE_ABANDONED, true);
      current.response.end();
      current.response = undefined;
      current.userStoppedAt = undefined;
    }
    current.userSpeech?.end();
    current.userStartedAt = Date.now();
    current.userSpeech = this.tracer.startSpan(names.SPAN_USER_SPEECH, { kind: SpanKind.INTERNAL }, current.context);
  }

  private onUserStoppedSpeaking(): void {
    const turn = this.turn;
    if (turn === undefined) return;
    // The user really fell silent the VAD's stop wait before this event: both spans use that moment.
    const stoppedAt = Date.now() - (this.session?.vadStopMillis ?? 0);
    turn.userSpeech?.end(Math.max(stoppedAt, turn.userStartedAt));
    turn.userSpeech = undefined;
    turn.userStoppedAt = stoppedAt;
    turn.response?.end();
    turn.response = this.tracer.startSpan(names.SPAN_RESPONSE, { kind: SpanKind.INTERNAL, startTime: stoppedAt }, turn.context);
  }

  private onUserTranscript(data: unknown): void {
    const transcript = data as { text?: unknown; final?: unknown } | undefined;
    if (!this.options.captureContent || this.turn === undefined) return;
    if (transcript?.final !== true || typeof transcript.text !== "string" || transcript.text === "") return;
    this.turn.userTranscript.push(transcript.text);
    this.turn.span.setAttribute(names.ATTR_CLIENT_USER_TRANSCRIPT, this.cap(this.turn.userTranscript.join(" ")));
  }

  private onMetrics(data: unknown): void {
    const turn = this.turn;
    if (turn === undefined) return;
    // Server measurements of this turn land on the span that waits for them: the response while the bot
    // has not answered yet, the turn otherwise.
    const target = turn.response ?? turn.span;
    const metrics = data as { ttfb?: unknown; processing?: unknown } | undefined;
    for (const entry of metricEntries(metrics?.ttfb)) {
      if (entry.kind !== undefined) target.setAttribute(`${names.ATTR_CLIENT_SERVER_TTFB_PREFIX}.${entry.kind}`, entry.value);
    }
    for (const entry of metricEntries(metrics?.processing)) {
      if (entry.kind !== undefined) target.setAttribute(`${names.ATTR_CLIENT_SERVER_PROCESSING_PREFIX}.${entry.kind}`, entry.value);
    }
  }

  private onBotStartedSpeaking(): void {
    const turn = this.turn ?? this.startTurn();
    const now = Date.now();
    if (turn.response !== undefined && turn.userStoppedAt !== undefined) {
      const latency = (now - turn.userStoppedAt) / 1000;
      turn.response.setAttribute(names.ATTR_CLIENT_RESPONSE_LATENCY_SECONDS, latency);
      if (!turn.botSpoke) turn.span.setAttribute(names.ATTR_CLIENT_RESPONSE_LATENCY_SECONDS, latency);
      turn.response.end();
      turn.response = undefined;
    }
    turn.botSpoke = true;
    turn.botSpeech?.end();
    turn.botSpeech = this.tracer.startSpan(names.SPAN_BOT_SPEECH, { kind: SpanKind.INTERNAL }, turn.context);
  }

  private onBotStoppedSpeaking(): void {
    const turn = this.turn;
    if (turn?.botSpeech === undefined) return;
    this.recordBotText(turn);
    turn.botSpeech.end();
    turn.botSpeech = undefined;
    this.endTurn(false);
  }

  private onBotText(data: unknown): void {
    const text = (data as { text?: unknown } | undefined)?.text;
    if (!this.options.captureContent || this.turn === undefined || typeof text !== "string") return;
    const trimmed = text.trim();
    if (trimmed !== "") this.turn.botText.push(trimmed);
  }

  private onFunctionCall(data: unknown, phase: string): void {
    const turn = this.turn;
    if (turn === undefined) return;
    const call = data as { function_name?: unknown; tool_call_id?: unknown; arguments?: unknown; cancelled?: unknown } | undefined;
    const attributes: Attributes = { [names.ATTR_CLIENT_FUNCTION_CALL_PHASE]: phase };
    if (typeof call?.function_name === "string") attributes[names.ATTR_GEN_AI_TOOL_NAME] = call.function_name;
    if (typeof call?.tool_call_id === "string") attributes[names.ATTR_GEN_AI_TOOL_CALL_ID] = call.tool_call_id;
    if (typeof call?.cancelled === "boolean") attributes[names.ATTR_CLIENT_FUNCTION_CALL_CANCELLED] = call.cancelled;
    if (this.options.captureContent && call?.arguments !== undefined) {
      attributes[names.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = this.cap(safeJson(call.arguments));
    }
    turn.span.addEvent(names.EVENT_CLIENT_FUNCTION_CALL, attributes);
  }

  private startTurn(): OpenTurn {
    const session = this.ensureSession();
    session.turns += 1;
    const span = this.tracer.startSpan(
      names.SPAN_CLIENT_TURN,
      { kind: SpanKind.INTERNAL, attributes: { [names.ATTR_CLIENT_TURN_NUMBER]: session.turns } },
      session.context,
    );
    this.turn = {
      span,
      context: trace.setSpan(session.context, span),
      userSpeech: undefined,
      userStartedAt: 0,
      response: undefined,
      userStoppedAt: undefined,
      botSpeech: undefined,
      botText: [],
      userTranscript: [],
      botSpoke: false,
    };
    return this.turn;
  }

  private endTurn(bySessionEnd: boolean): void {
    const turn = this.turn;
    if (turn === undefined) return;
    this.turn = undefined;
    this.recordBotText(turn);
    for (const child of [turn.userSpeech, turn.response, turn.botSpeech]) child?.end();
    if (bySessionEnd) turn.span.setAttribute(names.ATTR_CLIENT_TURN_ENDED_BY_SESSION_END, true);
    turn.span.end();
  }

  private recordBotText(turn: OpenTurn): void {
    if (turn.botText.length === 0 || turn.botSpeech === undefined) return;
    turn.botSpeech.setAttribute(names.ATTR_CLIENT_BOT_TEXT, this.cap(turn.botText.join(" ")));
    turn.botText = [];
  }

  private setEndReason(reason: string): void {
    if (this.session !== undefined && this.session.endReason === undefined) this.session.endReason = reason;
  }

  private cap(text: string): string {
    const max = this.options.maxContentLength;
    return text.length <= max ? text : `${text.slice(0, max)}…`;
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private reportFailure(error: unknown): void {
    if (this.failureReported) return;
    this.failureReported = true;
    console.warn(`[@respan/instrumentation-pipecat-client] a tracing error was ignored (later ones are not reported): ${String(error)}`);
  }
}

/** The transport's class name, when it reads as one (bundlers mangle names into things like "$7f42e$export$de21"). */
function transportName(transport: unknown): string | undefined {
  const name = (transport as { constructor?: { name?: unknown } } | undefined)?.constructor?.name;
  return typeof name === "string" && /^[A-Z][A-Za-z0-9]*Transport$/.test(name) ? name : undefined;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "[unserialisable]";
  }
}
