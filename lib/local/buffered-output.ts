/**
 * Text written in chunks of about 64 KB instead of one write per line: a backtest prints hundreds
 * of thousands of lines. On Linux, writes to a file or a pipe from stdout are synchronous, so
 * nothing piles up in memory behind a slow reader.
 */
const CHUNK_CHARS = 64 * 1024;

/** Text collected and handed to `write` a chunk at a time. */
export class BufferedOutput {
  private parts: string[] = [];
  private chars = 0;

  constructor(private readonly sink: (text: string) => void) {}

  write(text: string): void {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= CHUNK_CHARS) this.flush();
  }

  /** Hand on what is collected. */
  flush(): void {
    if (!this.parts.length) return;
    this.sink(this.parts.join(''));
    this.parts = [];
    this.chars = 0;
  }

  /** The last of it: the output is complete. */
  end(): void {
    this.flush();
  }
}
