import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { LocalRunError, LocalRunErrorCode } from "./local-run-error";

/** A held lock; `release` removes it. */
export interface RunLock {
  readonly path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * Takes the lock of a state folder (`<dir>/lock`, holding the owner's process id), so that two
 * `iter8ctl run` processes never drive the same files at once. A lock left by a process that no
 * longer exists (killed, crashed) is taken over: that is how a resumed run starts.
 *
 * @throws LocalRunError `locked`, naming the process that holds the lock.
 */
export async function acquireRunLock(dir: string): Promise<RunLock> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, "lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return {
        path,
        release: async () => {
          const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
          if (owner === process.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") {
        throw new LocalRunError(LocalRunErrorCode.WriteFailed, `the lock ${path} could not be created: ${(error as Error).message}`, [], { cause: error });
      }
    }
    const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new LocalRunError(
        LocalRunErrorCode.Locked,
        `another iter8ctl run (process ${owner}) is working on these files (lock ${path}); wait for it to end or stop it, then run again`,
      );
    }
    await rm(path, { force: true });
  }
  throw new LocalRunError(LocalRunErrorCode.Locked, `the lock ${path} keeps being taken by another process; try again`);
}
