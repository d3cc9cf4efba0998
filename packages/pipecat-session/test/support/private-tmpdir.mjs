// Points os.tmpdir() (which reads TMPDIR on every call) at a fresh directory for this test process, so
// assertions about the temporary files a test leaves behind (recording spools) are not disturbed by the
// test files that run in parallel with it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export async function usePrivateTmpdir(prefix) {
  const previous = process.env.TMPDIR;
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  process.env.TMPDIR = dir;
  return {
    dir,
    async restore() {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
