export * from "./spans.js";
export * from "./attributes.js";
export * from "./gen-ai.js";
export * from "./session.js";
export * from "./metrics.js";
export * from "./client.js";
