import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";

let temporaryFileCounter = 0;

/** Writes `text` to `file` through a temporary file and a rename, so that a reader never sees half a file. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${++temporaryFileCounter}.tmp`;
  await writeFile(temporary, text, "utf8");
  await rename(temporary, file);
}
