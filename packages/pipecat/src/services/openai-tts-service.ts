import { createOpenAIClient, describeOpenAIFailure, type OpenAIClientOptions, type OpenAIConnection } from "./openai-client.js";
import { TTSService, type TTSServiceOptions } from "./tts-service.js";

export interface OpenAITTSServiceOptions extends Omit<TTSServiceOptions, "sampleRate">, OpenAIClientOptions {
  /** How the voice should speak (OpenAI's `instructions`, for the gpt-4o TTS models). */
  instructions?: string;
}

const DEFAULT_MODEL = "gpt-4o-mini-tts";
const DEFAULT_VOICE = "alloy";
/** OpenAI's `pcm` response format: 24 kHz mono PCM16 LE. */
const OPENAI_PCM_SAMPLE_RATE = 24000;

/**
 * Text-to-speech on the official `openai` SDK: each sentence is sent to the speech endpoint
 * (`/audio/speech`, response format `pcm`) and its 24 kHz audio pushed as it streams in. An interruption
 * aborts the request. Works against any endpoint speaking OpenAI's audio API.
 */
export class OpenAITTSService extends TTSService {
  readonly baseURL: string;
  readonly instructions?: string;
  readonly #connection: OpenAIConnection;

  constructor(options: OpenAITTSServiceOptions = {}) {
    super({ ...options, sampleRate: OPENAI_PCM_SAMPLE_RATE }, { model: DEFAULT_MODEL, voiceId: DEFAULT_VOICE });
    this.#connection = createOpenAIClient(this.name, options);
    this.baseURL = this.#connection.baseURL;
    this.instructions = options.instructions;
  }

  protected async *runTts(text: string, _contextId: string): AsyncIterable<Uint8Array> {
    const signal = this.interruptionSignal;
    let body: AsyncIterable<Uint8Array>;
    try {
      const response = await (await this.#connection.client()).audio.speech.create(
        {
          model: this.model,
          voice: this.voiceId,
          input: text,
          response_format: "pcm",
          ...(this.instructions ? { instructions: this.instructions } : {}),
        },
        { signal },
      );
      if (!response.body) throw new Error("the speech response has no body");
      body = response.body as unknown as AsyncIterable<Uint8Array>;
    } catch (error) {
      throw describeOpenAIFailure("speech", error);
    }
    // Network chunks may split a sample: an odd byte waits for the next chunk.
    let carry: Uint8Array | undefined;
    try {
      for await (const chunk of body) {
        const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
        const even = bytes.byteLength - (bytes.byteLength % 2);
        carry = even < bytes.byteLength ? bytes.slice(even) : undefined;
        if (even > 0) yield bytes.subarray(0, even);
      }
    } catch (error) {
      throw describeOpenAIFailure("speech", error);
    }
  }
}
