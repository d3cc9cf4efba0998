import type { IncomingHttpHeaders } from "node:http";
import type { WebSocket } from "ws";
import { resolveVADParams, type VADParams } from "../../audio/vad-analyzer.js";
import type { OutputAudioRawFrame } from "../../frames/audio.js";
import { encodeWireFrame, ProtobufFrameSerializer } from "../../serializers/protobuf-frame-serializer.js";
import { BaseObject } from "../../utils/base-object.js";
import { booleanOption, optionError, optionsObject, positiveInteger, positiveNumber, nonNegativeNumber } from "../../utils/validate.js";
import { WebSocketInputTransport } from "./websocket-input.js";
import { type WebSocketSink, WebSocketOutputTransport } from "./websocket-output.js";

export interface WebSocketTransportParams {
  /** Pipecat's VAD parameters for the energy detector, or false for none. Default: Pipecat's defaults. */
  vad?: VADParams | false;
  /** Largest client message accepted, in bytes; larger ones are dropped with an error. Default 256 KiB. */
  maxMessageBytes?: number;
  /** Bytes waiting in the socket's send buffer beyond which a client that does not read is dropped. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Bot audio is written in pieces of this many ms. Default 40. */
  audioChunkMs?: number;
  /** How far ahead of real-time playback bot audio is sent, in ms. Default 80. */
  playbackLeadMs?: number;
  /** Ms of silence after which the bot has stopped speaking. Default 350. */
  botStopSilenceMs?: number;
  /** Cancel the pipeline task when the client goes away. Default true. */
  cancelOnDisconnect?: boolean;
}

/** What the server knew about a connection when it was accepted: the wsUrl's path and query, the upgrade headers. */
export interface WebSocketConnectionInfo {
  /** The request target as the client sent it, e.g. "/ws?token=abc". */
  url: string;
  path: string;
  /** The query string's parameters (the last value of a repeated name). */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  remoteAddress?: string;
}

/** What a WebSocket upgrade request says about its connection (the query string parsed). */
export function connectionInfo(url: string, headers: IncomingHttpHeaders, remoteAddress?: string): WebSocketConnectionInfo {
  const parsed = new URL(url, "http://localhost");
  return { url, path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), headers, remoteAddress };
}

const SOCKET_OPEN = 1;
const SOCKET_CONNECTING = 0;

export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * One client connected over Pipecat's WebSocket protocol: `input()` is the first processor of the call's
 * pipeline (the user's microphone and messages), `output()` the one after the TTS (the bot's speaker and
 * messages). `connection` holds the URL's query and the upgrade headers. Events:
 * onClientDisconnected(transport, { code, reason }).
 */
export class WebSocketTransport extends BaseObject {
  readonly connection: WebSocketConnectionInfo;
  /** The voice-activity detector's parameters (Pipecat's defaults filled in), or undefined with no VAD. */
  readonly vadParams: Required<VADParams> | undefined;
  readonly #socket: WebSocket;
  readonly #maxBufferedBytes: number;
  readonly #input: WebSocketInputTransport;
  readonly #output: WebSocketOutputTransport;
  #closed = false;

  constructor(socket: WebSocket, connection: WebSocketConnectionInfo, params?: WebSocketTransportParams) {
    super();
    const p = resolveTransportParams(this.name, params);
    this.connection = connection;
    this.vadParams = p.vad === false ? undefined : resolveVADParams(p.vad);
    this.#socket = socket;
    this.#maxBufferedBytes = p.maxBufferedBytes;
    const serializer = new ProtobufFrameSerializer();
    this.#input = new WebSocketInputTransport(
      { vad: p.vad, maxMessageBytes: p.maxMessageBytes, maxPendingMessages: 1000, cancelOnDisconnect: p.cancelOnDisconnect },
      serializer,
      `${this.name}::Input`,
    );
    this.#output = new WebSocketOutputTransport(
      { botStopSilenceMs: p.botStopSilenceMs, chunkMs: p.audioChunkMs, leadMs: p.playbackLeadMs },
      this.#sink,
      `${this.name}::Output`,
    );
    this.registerEvent("onClientDisconnected");
    socket.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      this.#input.receive({ data: toBytes(data), isBinary });
    });
    // An 'error' is always followed by 'close'; listening keeps it from being thrown.
    socket.on("error", () => undefined);
    socket.on("close", (code: number, reason: Buffer) => {
      this.#closed = true;
      this.#input.clientDisconnected();
      void this.emit("onClientDisconnected", { code, reason: reason.toString("utf8") });
    });
  }

  input(): WebSocketInputTransport {
    return this.#input;
  }

  output(): WebSocketOutputTransport {
    return this.#output;
  }

  /** Whether the client is still connected. */
  get isConnected(): boolean {
    return !this.#closed && this.#socket.readyState === SOCKET_OPEN;
  }

  /** Sends a message (e.g. an RTVI message) to the client now, outside the pipeline. */
  sendMessage(message: unknown): void {
    this.#send(encodeWireFrame({ kind: "message", data: JSON.stringify(message) }));
  }

  /** Closes the connection (the pipeline learns it as a client disconnect). */
  close(code = 1000, reason = ""): void {
    if (this.#socket.readyState === SOCKET_OPEN || this.#socket.readyState === SOCKET_CONNECTING) this.#socket.close(code, reason);
  }

  readonly #sink: WebSocketSink = {
    sendAudio: (audio: Uint8Array, frame: OutputAudioRawFrame) =>
      this.#send(
        encodeWireFrame({ kind: "audio", id: frame.id, name: frame.name, audio, sampleRate: frame.sampleRate, numChannels: frame.numChannels }),
      ),
    sendMessage: (message: unknown) => this.sendMessage(message),
    close: (code: number, reason: string) => this.close(code, reason),
  };

  #send(bytes: Uint8Array): void {
    if (!this.isConnected) return;
    if (this.#socket.bufferedAmount > this.#maxBufferedBytes) {
      // The client stopped reading: holding more would grow memory without bound.
      this.#socket.terminate();
      return;
    }
    this.#socket.send(bytes, { binary: true });
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function resolveTransportParams(owner: string, params: WebSocketTransportParams | undefined): Required<WebSocketTransportParams> {
  const p = optionsObject(owner, params);
  if (p.vad !== undefined && p.vad !== false && (p.vad === null || typeof p.vad !== "object")) {
    throw optionError(owner, "vad", "VAD parameters { confidence, startSecs, stopSecs, minVolume } or false", p.vad);
  }
  return {
    vad: p.vad ?? {},
    maxMessageBytes: positiveInteger(owner, "maxMessageBytes", p.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES),
    maxBufferedBytes: positiveInteger(owner, "maxBufferedBytes", p.maxBufferedBytes ?? 4 * 1024 * 1024),
    audioChunkMs: positiveNumber(owner, "audioChunkMs", p.audioChunkMs ?? 40),
    playbackLeadMs: nonNegativeNumber(owner, "playbackLeadMs", p.playbackLeadMs ?? 80),
    botStopSilenceMs: positiveNumber(owner, "botStopSilenceMs", p.botStopSilenceMs ?? 350),
    cancelOnDisconnect: booleanOption(owner, "cancelOnDisconnect", p.cancelOnDisconnect ?? true),
  };
}
