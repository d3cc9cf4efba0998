import type OpenAI from "openai";
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

const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** A service's way to the official SDK's client, which is created (and `openai` loaded) at the first request. */
export interface OpenAIConnection {
  /** Where requests go. */
  readonly baseURL: string;
  client(): Promise<OpenAI>;
}

/** The SDK's class once loaded: its error classes describe failures. */
let loadedSdk: typeof OpenAI | undefined;

/**
 * `openai` is an optional peer dependency (offline users never download it): it is loaded when the first
 * request is made, with an error saying how to install it when it is missing.
 */
async function loadOpenAI(owner: string): Promise<typeof OpenAI> {
  try {
    loadedSdk ??= (await import("openai")).default;
    return loadedSdk;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new Error(`${owner}: the "openai" package is not installed; add it to your app (npm install openai)`);
    }
    throw error;
  }
}

/** The connection of a service named `owner`, with its options checked now (the SDK is loaded later). */
export function createOpenAIClient(owner: string, options: OpenAIClientOptions): OpenAIConnection {
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
  const baseURL = options.baseURL ?? process.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
  const clientOptions = {
    apiKey,
    baseURL,
    maxRetries: nonNegativeNumber(owner, "maxRetries", options.maxRetries ?? 2),
    timeout: positiveNumber(owner, "timeoutSecs", options.timeoutSecs ?? 60) * 1000,
    // Failures become ErrorFrames; the SDK must not also print request contents to the console.
    logLevel: "off" as const,
  };
  let client: Promise<OpenAI> | undefined;
  return { baseURL, client: () => (client ??= loadOpenAI(owner).then((Client) => new Client(clientOptions))) };
}

/** A readable error naming the request (`what`) that failed, with the HTTP status when there is one. */
export function describeOpenAIFailure(what: string, error: unknown): unknown {
  const Sdk = loadedSdk;
  if (Sdk !== undefined) {
    if (error instanceof Sdk.APIUserAbortError) return error;
    if (error instanceof Sdk.APIError && error.status !== undefined) {
      return new Error(`${what} request failed with HTTP ${error.status}: ${error.message}`, { cause: error });
    }
    if (error instanceof Sdk.APIConnectionError) return new Error(`${what} request failed: ${error.message}`, { cause: error });
  }
  return new Error(`${what} failed: ${errorMessage(error)}`, { cause: error });
}
