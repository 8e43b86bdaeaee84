import type { LogFields, Logger } from './logger.js';

type Level = 'error' | 'warn';

interface Window {
  level: Level;
  code: string;
  /** Entries of this level and code dropped since the window opened. */
  suppressed: number;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Keeps repeated warnings and errors from flooding a log: per level and code, the first entry in
 * an interval goes out as is, later ones are only counted, and when the interval ends one summary
 * line says how many were dropped ("ERR_BAD_FRAME x1999 in the last 10 s"). A sustained flood thus
 * costs two lines per code per interval, whoever triggers it.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly intervalMs: number,
    /** Where entries and summaries go; read on each entry, so a logger set later takes effect. */
    private readonly sink: () => Logger,
  ) {}

  /** Logs the entry, or counts it when one of the same level and code went out this interval. */
  log(level: Level, fields: LogFields, message: string): void {
    const key = `${level}\0${fields.code}`;
    const window = this.windows.get(key);
    if (window !== undefined) {
      window.suppressed++;
      return;
    }
    this.open(key, level, fields.code);
    this.sink()[level](fields, message);
  }

  /** Writes the summaries of every open window now and forgets them (a server closing). */
  flush(): void {
    for (const [key, window] of this.windows) {
      clearTimeout(window.timer);
      this.windows.delete(key);
      this.summarise(window);
    }
  }

  private open(key: string, level: Level, code: string): void {
    const window: Window = { level, code, suppressed: 0, timer: undefined as unknown as ReturnType<typeof setTimeout> };
    window.timer = setTimeout(() => this.close(key, window), this.intervalMs);
    // A pending summary must not keep a process alive that has nothing else to do.
    window.timer.unref?.();
    this.windows.set(key, window);
  }

  /** An interval ended: summarise it, and keep limiting while the flood goes on. */
  private close(key: string, window: Window): void {
    this.windows.delete(key);
    if (window.suppressed === 0) return;
    this.summarise(window);
    this.open(key, window.level, window.code);
  }

  private summarise(window: Window): void {
    if (window.suppressed === 0) return;
    const seconds = this.intervalMs / 1000;
    this.sink()[window.level](
      { code: window.code, suppressed: window.suppressed, intervalMs: this.intervalMs },
      `${window.code} x${window.suppressed} in the last ${seconds} s`,
    );
  }
}
