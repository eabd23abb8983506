/**
 * A V8 CPU profile of one stage of this process (node:inspector), written as a .cpuprofile that
 * bench/profile.ts summarizes and Chrome DevTools opens. Used only with --profile.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

export class StageProfiler {
  readonly #session = new Session();
  #connected = false;

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    if (!this.#connected) {
      this.#session.connect();
      this.#connected = true;
      await this.#session.post('Profiler.enable');
      await this.#session.post('Profiler.setSamplingInterval', { interval: 500 });
    }
    await this.#session.post('Profiler.start');
  }

  /** Stops and writes `<dir>/<name>.cpuprofile`; returns the file. */
  async stop(name: string): Promise<string> {
    const { profile } = await this.#session.post('Profiler.stop');
    fs.mkdirSync(this.dir, { recursive: true });
    const slug = name
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase();
    const file = path.join(this.dir, `${slug}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  }

  close(): void {
    if (this.#connected) this.#session.disconnect();
    this.#connected = false;
  }
}
