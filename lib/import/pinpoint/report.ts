/**
 * The import report (SPEC §8): every part of a Pinpoint journey that did not map exactly, with the
 * JSON pointer of that part in the source file. `todo` is something to finish by hand (the
 * command exits 3); `note` is a mapping that holds but behaves a little differently, said so that
 * nobody is surprised (the command still exits 0).
 */

export type ReportLevel = 'todo' | 'note';

export interface ReportItem {
  level: ReportLevel;
  /** The source file. */
  file: string;
  /** JSON pointer (RFC 6901) into the source file. */
  pointer: string;
  message: string;
}

/** Where an object sits: its file and its pointer within it. */
export interface Place {
  file: string;
  base: string;
}

/** Collects the report of one journey; pointers are relative to the journey object unless a place is given. */
export class Report {
  readonly items: ReportItem[] = [];

  readonly source: Place;

  constructor(source: Place) {
    this.source = { file: source.file, base: source.base };
  }

  /** Something with no exact Baton equivalent: to finish by hand. */
  todo(pointer: string, message: string, place: Place = this.source): void {
    this.add('todo', place, pointer, message);
  }

  /** Mapped, with a difference worth knowing. */
  note(pointer: string, message: string, place: Place = this.source): void {
    this.add('note', place, pointer, message);
  }

  private add(level: ReportLevel, place: Place, at: string, message: string): void {
    const full = place.base + at;
    if (this.items.some((i) => i.file === place.file && i.pointer === full && i.message === message)) return;
    this.items.push({ level, file: place.file, pointer: full, message });
  }
}

/** JSON pointer (RFC 6901) for a path of keys. */
export function pointer(...path: (string | number)[]): string {
  return path.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
