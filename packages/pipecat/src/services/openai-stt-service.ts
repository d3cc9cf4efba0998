import type { Frame } from "../frames/frame.js";
import { TranscriptionFrame } from "../frames/text.js";
import { createOpenAIClient, describeOpenAIFailure, type OpenAIClientOptions, type OpenAIConnection } from "./openai-client.js";
import { SegmentedSTTService, type SegmentedSTTServiceOptions } from "./segmented-stt-service.js";

export interface OpenAISTTServiceOptions extends SegmentedSTTServiceOptions, OpenAIClientOptions {
  /** Guides the model's style or vocabulary (OpenAI's `prompt`). */
  prompt?: string;
}

const DEFAULT_MODEL = "gpt-4o-transcribe";

/**
 * Speech-to-text on the official `openai` SDK: each utterance (see SegmentedSTTService) is sent as a WAV
 * file to the audio transcriptions endpoint (`/audio/transcriptions`) and its text pushed as a final
 * TranscriptionFrame. Works against any endpoint speaking OpenAI's audio API.
 */
export class OpenAISTTService extends SegmentedSTTService {
  readonly baseURL: string;
  readonly prompt?: string;
  readonly #connection: OpenAIConnection;

  constructor(options: OpenAISTTServiceOptions = {}) {
    super(options, DEFAULT_MODEL);
    this.#connection = createOpenAIClient(this.name, options);
    this.baseURL = this.#connection.baseURL;
    this.prompt = options.prompt;
  }

  protected async runStt(audio: Uint8Array): Promise<Frame[]> {
    let text: string;
    try {
      // The platform's File (Node >= 20), so that `openai` stays an optional, lazily loaded package.
      const file = new File([audio], "utterance.wav", { type: "audio/wav" });
      const result = await (await this.#connection.client()).audio.transcriptions.create({
        file,
        model: this.model,
        ...(this.language ? { language: this.language.split("-")[0]! } : {}),
        ...(this.prompt ? { prompt: this.prompt } : {}),
      });
      text = result.text.trim();
    } catch (error) {
      throw describeOpenAIFailure("transcription", error);
    }
    return text === "" ? [] : [new TranscriptionFrame({ text, userId: this.userId, language: this.language, finalized: true })];
  }
}
