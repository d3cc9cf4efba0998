// Pipecat gives every frame and processor a process-unique id and a per-class name "ClassName#n".
let lastId = -1;
const countsByClass = new Map<string, number>();

/** The next process-unique id (shared by frames, processors and tasks, increasing). */
export function nextObjectId(): number {
  lastId += 1;
  return lastId;
}

/** "ClassName#n", where n counts the instances of that class name so far. */
export function nextObjectName(className: string): string {
  const count = countsByClass.get(className) ?? 0;
  countsByClass.set(className, count + 1);
  return `${className}#${count}`;
}
