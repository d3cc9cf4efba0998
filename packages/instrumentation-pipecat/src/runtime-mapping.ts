/*
 * The `runtimeMapping` option: what a port calls by other names, told in Pipecat's names — its frame,
 * processor and service classes (`classes`) and its field names (`fields`). Class and field names are
 * process-wide facts about the loaded runtime, so the mappings of every instrumentation in the process are
 * merged here; mapping one name two different ways is an error. The classifiers that cache per class
 * (ClassCache) forget what they cached whenever a mapping adds a name, so a class seen before is classified
 * again under the new names. Nothing here runs per frame hop except the lookups in readField's fallback.
 */

export interface RuntimeMapping {
  /** The port's class name -> the Pipecat class it stands for (`{ UtteranceFrame: "TranscriptionFrame" }`). */
  classes?: Record<string, string>;
  /** The port's field name -> the Pipecat field it holds (`{ invocationId: "toolCallId", downstream: "next" }`). */
  fields?: Record<string, string>;
}

const classAliases = new Map<string, string>();
/** Pipecat field name -> the port's names for it. */
const fieldAliases = new Map<string, string[]>();
const portFieldTargets = new Map<string, string>();
const onChange: Array<() => void> = [];

/** The Pipecat class `name` stands for (itself when it is not mapped). */
export function pipecatClassName(name: string): string {
  return classAliases.size === 0 ? name : (classAliases.get(name) ?? name);
}

/** The port's own names for the Pipecat field `field`, when a mapping gave any. */
export function portFieldNames(field: string): readonly string[] | undefined {
  return fieldAliases.size === 0 ? undefined : fieldAliases.get(field);
}

/** Whether any mapping is registered (the coverage report says so). */
export function hasRuntimeMapping(): boolean {
  return classAliases.size !== 0 || fieldAliases.size !== 0;
}

/** `invalidate` runs whenever a mapping adds a name (a cache of classifications must forget them). */
export function onRuntimeMappingChange(invalidate: () => void): void {
  onChange.push(invalidate);
}

/**
 * Adds a (validated) mapping to the process's. Throws a TypeError naming the key when a name is already
 * mapped to something else.
 */
export function registerRuntimeMapping(mapping: RuntimeMapping): void {
  for (const [portName, pipecatName] of Object.entries(mapping.classes ?? {})) {
    const known = classAliases.get(portName);
    if (known !== undefined && known !== pipecatName) conflict(`classes.${portName}`, known, pipecatName);
  }
  for (const [portName, pipecatName] of Object.entries(mapping.fields ?? {})) {
    const known = portFieldTargets.get(portName);
    if (known !== undefined && known !== pipecatName) conflict(`fields.${portName}`, known, pipecatName);
  }
  let added = false;
  for (const [portName, pipecatName] of Object.entries(mapping.classes ?? {})) {
    if (classAliases.has(portName)) continue;
    classAliases.set(portName, pipecatName);
    added = true;
  }
  for (const [portName, pipecatName] of Object.entries(mapping.fields ?? {})) {
    if (portFieldTargets.has(portName)) continue;
    portFieldTargets.set(portName, pipecatName);
    const names = fieldAliases.get(pipecatName) ?? [];
    names.push(portName);
    fieldAliases.set(pipecatName, names);
    added = true;
  }
  if (added) for (const invalidate of onChange) invalidate();
}

function conflict(key: string, known: string, wanted: string): never {
  throw new TypeError(
    `PipecatInstrumentation: invalid option "runtimeMapping.${key}": already mapped to "${known}" by another ` +
      `instrumentation in this process, cannot also map it to "${wanted}"`,
  );
}
