import OpenAI from "openai";
import { errorMessage } from "../utils/base-object.js";
import { nonNegativeNumber, optionError, positiveNumber } from "../utils/validate.js";

/** Connection options shared by the OpenAI services. */
export interface OpenAIClientOptions {
  /** Default: the OPENAI_API_KEY environment variable. */
  apiKey?: string;
  /** Any OpenAI-compatible endpoint or gateway. Default: the SDK's (OPENAI_BASE_URL or api.openai.com). */
  baseURL?: string;
  /** Retries of failed requests, as in the SDK. Default 2. */
  maxRetries?: number;
  /** Request timeout in real seconds. Default 60. */
  timeoutSecs?: number;
}

/** The official SDK's client for a service named `owner`, with its options checked. */
export function createOpenAIClient(owner: string, options: OpenAIClientOptions): OpenAI {
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  if (typeof apiKey !== "string" || apiKey === "") {
    throw new Error(`${owner}: "apiKey" is required: pass it as an option or set OPENAI_API_KEY`);
  }
  if (options.baseURL !== undefined) {
    try {
      new URL(options.baseURL);
    } catch {
      throw optionError(owner, "baseURL", "an absolute http(s) URL", options.baseURL);
    }
  }
  return new OpenAI({
    apiKey,
    baseURL: options.baseURL,
    maxRetries: nonNegativeNumber(owner, "maxRetries", options.maxRetries ?? 2),
    timeout: positiveNumber(owner, "timeoutSecs", options.timeoutSecs ?? 60) * 1000,
    // Failures become ErrorFrames; the SDK must not also print request contents to the console.
    logLevel: "off",
  });
}

/** A readable error naming the request (`what`) that failed, with the HTTP status when there is one. */
export function describeOpenAIFailure(what: string, error: unknown): unknown {
  if (error instanceof OpenAI.APIUserAbortError) return error;
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    return new Error(`${what} request failed with HTTP ${error.status}: ${error.message}`, { cause: error });
  }
  if (error instanceof OpenAI.APIConnectionError) return new Error(`${what} request failed: ${error.message}`, { cause: error });
  return new Error(`${what} failed: ${errorMessage(error)}`, { cause: error });
}
