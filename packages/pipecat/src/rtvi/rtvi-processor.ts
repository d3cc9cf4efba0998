import type { Frame } from "../frames/frame.js";
import { EndTaskFrame, InterruptionFrame } from "../frames/lifecycle.js";
import { LLMMessagesAppendFrame } from "../frames/llm.js";
import { InputTransportMessageFrame, OutputTransportMessageUrgentFrame } from "../frames/transport-messages.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor, type FrameProcessorOptions } from "../processors/frame-processor.js";
import { errorMessage } from "../utils/base-object.js";
import { majorVersion, parseRTVIMessage, RTVI_PROTOCOL_VERSION, type RTVIMessage, RTVIMessageError, rtviMessage } from "./rtvi-messages.js";

export interface RTVIProcessorOptions extends FrameProcessorOptions {
  /**
   * Sent to the client as `bot-ready`'s `about` (and so returned by the client's `connect()`); a function
   * is called when bot-ready is sent (e.g. to include the server's clock at that moment).
   */
  botAbout?: Record<string, unknown> | (() => Record<string, unknown>);
}

/** What a client said in `client-ready`. */
export interface RTVIClientReady {
  id: string;
  version: string;
  /** The client's `about`: library, platform... and whatever the app added with `setAboutClient`. */
  about?: Record<string, unknown>;
}

/** A `client-message` from the client: the app's own message type `t` and data `d`. */
export interface RTVIClientMessage {
  id: string;
  type: string;
  data: unknown;
}

/** Client major versions this server answers (1.x as legacy, as Pipecat does). */
const SUPPORTED_MAJOR_VERSIONS = new Set([1, 2]);

/**
 * The server side of RTVI (Pipecat's RTVIProcessor), placed right after the transport's input. It reads
 * the client's RTVI messages: `client-ready` is answered with `bot-ready` (same id), `send-text` adds a user
 * message to the context and runs the LLM (interrupting the bot when `run_immediately`), `client-message`
 * goes to the app (`onClientMessage`; answer with `sendServerResponse`), `disconnect-bot` ends the task.
 * Unknown types get an `error-response`; malformed messages an `error`. What the bot does is reported to
 * the client by an RTVIObserver through `pushTransportMessage`.
 * Events: onClientReady(rtvi, RTVIClientReady), onClientMessage(rtvi, RTVIClientMessage).
 */
export class RTVIProcessor extends FrameProcessor {
  readonly botAbout?: Record<string, unknown> | (() => Record<string, unknown>);
  #clientReady?: RTVIClientReady;

  constructor(options: RTVIProcessorOptions = {}) {
    super(options);
    this.botAbout = options.botAbout;
    this.registerEvent("onClientReady");
    this.registerEvent("onClientMessage");
  }

  /** What the client sent in `client-ready`, once it has. */
  get clientReady(): RTVIClientReady | undefined {
    return this.#clientReady;
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof InputTransportMessageFrame && direction === FrameDirection.DOWNSTREAM) return this.#onClientMessage(frame);
    return this.pushFrame(frame, direction);
  }

  /** Sends an RTVI message to the client at once (through the output transport). */
  pushTransportMessage(message: RTVIMessage): Promise<void> {
    return this.pushFrame(new OutputTransportMessageUrgentFrame(message));
  }

  /** Sends an RTVI `error`; a fatal one makes the client disconnect. */
  sendError(error: string, fatal = false): Promise<void> {
    return this.pushTransportMessage(rtviMessage("error", { error, fatal }));
  }

  /** Sends the app's own data to the client (`server-message`, the client's onServerMessage). */
  sendServerMessage(data: unknown): Promise<void> {
    return this.pushTransportMessage(rtviMessage("server-message", data));
  }

  /** Answers a client-message (`server-response` with the request's id and type). */
  sendServerResponse(request: RTVIClientMessage, data: unknown): Promise<void> {
    return this.pushTransportMessage(rtviMessage("server-response", { t: request.type, d: data }, request.id));
  }

  async #onClientMessage(frame: InputTransportMessageFrame): Promise<void> {
    let message: RTVIMessage | undefined;
    try {
      message = parseRTVIMessage(frame.message);
    } catch (error) {
      if (error instanceof RTVIMessageError && error.messageId !== undefined) {
        await this.#errorResponse(error.messageId, error.message);
      } else {
        await this.sendError(`malformed RTVI message: ${errorMessage(error)}`);
      }
      return;
    }
    // Not RTVI: another processor may know it.
    if (message === undefined) return this.pushFrame(frame);
    const data = (message.data ?? {}) as Record<string, unknown>;
    switch (message.type) {
      case "client-ready":
        return this.#handleClientReady(message, data);
      case "send-text":
        return this.#handleSendText(message, data);
      case "client-message":
        if (typeof data.t !== "string") return this.#errorResponse(message.id, 'client-message needs data { t: string, d?: any }');
        await this.emit("onClientMessage", { id: message.id, type: data.t, data: data.d } satisfies RTVIClientMessage);
        return;
      case "disconnect-bot":
        return this.pushFrame(new EndTaskFrame("the client asked the bot to disconnect"), FrameDirection.UPSTREAM);
      default:
        return this.#errorResponse(message.id, `unsupported RTVI message type "${message.type}"`);
    }
  }

  async #handleClientReady(message: RTVIMessage, data: Record<string, unknown>): Promise<void> {
    const major = majorVersion(data.version);
    if (major === undefined || !SUPPORTED_MAJOR_VERSIONS.has(major)) {
      return this.#errorResponse(message.id, `RTVI client version ${String(data.version)} is not supported: this server speaks ${RTVI_PROTOCOL_VERSION}`);
    }
    const about = data.about !== null && typeof data.about === "object" ? (data.about as Record<string, unknown>) : undefined;
    this.#clientReady = { id: message.id, version: data.version as string, about };
    const ready: Record<string, unknown> = { version: RTVI_PROTOCOL_VERSION };
    if (this.botAbout !== undefined) ready.about = typeof this.botAbout === "function" ? this.botAbout() : this.botAbout;
    await this.pushTransportMessage(rtviMessage("bot-ready", ready, message.id));
    await this.emit("onClientReady", this.#clientReady);
  }

  async #handleSendText(message: RTVIMessage, data: Record<string, unknown>): Promise<void> {
    if (typeof data.content !== "string" || data.content.trim() === "") {
      return this.#errorResponse(message.id, "send-text needs data { content: non-empty string, options? }");
    }
    const options = (data.options ?? {}) as Record<string, unknown>;
    const runImmediately = options.run_immediately !== false;
    if (runImmediately && this.interruptionsAllowed) await this.pushFrame(new InterruptionFrame());
    await this.pushFrame(new LLMMessagesAppendFrame([{ role: "user", content: data.content }], runImmediately));
  }

  #errorResponse(id: string, error: string): Promise<void> {
    return this.pushTransportMessage(rtviMessage("error-response", { error }, id));
  }
}
