/**
 * Temp files and folders left by killed writes: `writeFileAtomic` and `saveModelDir` name them
 * `.lvh-tmp-<name>-<pid>-<ms>` (a model moved aside while being replaced gets `-old`), so a later run can
 * tell which ones belong to a path and whether the process that made them is gone.
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/** True while process `pid` exists (also when it belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp entry of a killed write: its path, the writer's pid and time, and whether it is a moved-aside old copy. */
export interface OrphanTemp {
  path: string;
  pid: number;
  time: number;
  old: boolean;
}

/** Temp entries in `parent` made for `name` by processes that no longer run, oldest first. */
export function orphanTemps(parent: string, name: string): OrphanTemp[] {
  const pattern = new RegExp(`^\\.lvh-tmp-${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)-(\\d+)(-old)?$`);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const out: OrphanTemp[] = [];
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (!m) continue;
    const pid = Number(m[1]);
    if (isProcessAlive(pid)) continue;
    out.push({ path: join(parent, entry), pid, time: Number(m[2]), old: m[3] !== undefined });
  }
  return out.sort((a, b) => a.time - b.time);
}

/** True when `dir` holds a whole model directory (config and weights). */
function isCompleteModel(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) && (existsSync(join(dir, 'model.safetensors')) || existsSync(join(dir, 'model.safetensors.index.json')));
}

/**
 * Cleans up after saves of `dir` that were killed: when `dir` is missing and a killed replace had moved the
 * previous model aside (`-old`), that model is put back; every other temp folder or file of `dir` left by a
 * dead process is removed. Returns one line per action, for the user.
 */
export function recoverInterruptedSaves(dir: string): string[] {
  const target = resolve(dir);
  const parent = dirname(target);
  const notes: string[] = [];
  const shown = (p: string) => relative(process.cwd(), p) || '.';
  const orphans = orphanTemps(parent, basename(target));
  if (!existsSync(target)) {
    const restore = orphans.filter((o) => o.old && isCompleteModel(o.path)).pop();
    if (restore) {
      renameSync(restore.path, target);
      notes.push(`restored the previous model ${shown(target)} from ${shown(restore.path)}, where a killed save (pid ${restore.pid}) had moved it`);
      orphans.splice(orphans.indexOf(restore), 1);
    }
  }
  for (const o of orphans) {
    rmSync(o.path, { recursive: true, force: true });
    notes.push(`removed ${shown(o.path)}, left by a killed save (pid ${o.pid})`);
  }
  return notes;
}
