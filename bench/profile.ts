import fs from 'node:fs';
import path from 'node:path';

/** The parts of a V8 .cpuprofile (node --cpu-prof) this summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

/** Where a frame's code lives: a package, a file of ours, Node itself, or V8's pseudo-frames. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const ours = /\/((?:src|bench)\/.+)$/.exec(url);
  if (ours) return ours[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

const frameName = (f: CpuProfile['nodes'][number]['callFrame']) =>
  `${f.functionName || '(anonymous)'} ${moduleOf(f.url, f.functionName)}:${f.lineNumber + 1}`;

/** Self and inclusive time per function and self time per module, as fractions of the profile's samples. */
export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, total);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node) continue;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + count);
    const mod = moduleOf(node.callFrame.url, node.callFrame.functionName);
    modules.set(mod, (modules.get(mod) ?? 0) + count);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur);
      if (!frame) break;
      const fname = frameName(frame.callFrame);
      if (seen.has(fname)) continue;
      seen.add(fname);
      inclusive.set(fname, (inclusive.get(fname) ?? 0) + count);
    }
  }
  const list = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  return [
    `${path.basename(path.dirname(file))}/${path.basename(file)}: ${total} samples, ${(total * msPerSample).toFixed(0)} ms`,
    'self time by module:',
    ...list(modules, 20),
    'self time by function:',
    ...list(self, top),
    'inclusive time by function:',
    ...list(inclusive, top + 15),
    'inclusive time of our own functions (src/):',
    ...list(new Map([...inclusive].filter(([name]) => / src\//.test(name))), top + 15),
  ].join('\n');
}

export function summarizeProfiles(dir: string): string {
  if (!fs.existsSync(dir)) return `no profiles in ${dir}`;
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort();
  return [`CPU profiles of the server processes (${dir}):`, ...files.map((f) => summarizeProfile(f))].join('\n\n');
}

if (process.argv[1]?.endsWith('bench/profile.ts')) {
  for (const target of process.argv.slice(2)) {
    console.log(fs.statSync(target).isDirectory() ? summarizeProfiles(target) : summarizeProfile(target));
  }
}
