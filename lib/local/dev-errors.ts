/** Why `baton dev` could not start, each said in one line with what to do about it. */

/** Another process (another `baton dev`) holds the data directory. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the data dir ${dataDir} is in use by another baton dev: stop that one first, or give this one another --data-dir`,
      options,
    );
  }
}

/** Something already listens on the port. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(
      `port ${port} on 127.0.0.1 is in use: stop what listens there, or choose another --port (0 picks a free one)`,
      options,
    );
  }
}
