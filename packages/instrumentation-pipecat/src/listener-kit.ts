/*
 * What a conversation listener needs to read the frames it is handed the way the tracer does: frames and
 * processors recognised by class name along the prototype chain (any Pipecat port), fields read in
 * camelCase or snake_case, and the one parser of boolean environment variables.
 */
export { FrameKind, classNamesOf, frameKindOf } from "./class-names.js";
export { parseEnvBoolean } from "./env-boolean.js";
export { readBoolean, readField, readNumber, readString } from "./utils.js";
