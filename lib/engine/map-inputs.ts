/**
 * The inputs of a Map's children, read in order from its items: each item through the
 * ItemSelector, then, with an ItemBatcher, grouped into batches `{"BatchInput"?, "Items": [...]}`
 * of at most MaxItemsPerBatch items and MaxInputBytesPerBatch bytes
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html). A batch
 * always takes at least one item, so a Map never stalls on an item larger than the byte limit
 * (its child's input still answers to the 256 KiB payload limit).
 */
import { type Cursor, type ItemSource, type ItemStream, openItems } from './item-reader';
import type { Scope } from './jsonata-fields';
import { utf8Bytes } from './limits';
import { selectItem } from './map-config';

export interface Batcher {
  maxItems?: number;
  maxBytes?: number;
  /** BatchInput, evaluated when the Map started. */
  input?: unknown;
}

/** What a Map has read of its items: where the next one starts, and how many came before it. */
export interface ReadPosition {
  cursor: Cursor;
  items: number;
}

/** A reader of child inputs from a position; `position` is where a later one continues. Close it once done. */
export class ChildInputs {
  private readonly stream: ItemStream;
  /** Items read so far (the pending one included). */
  private read: number;
  /** An item read and selected that did not fit its batch: the next batch starts with it. */
  private pending: { value: unknown; before: Cursor } | undefined;

  constructor(
    source: ItemSource,
    from: ReadPosition,
    private readonly opts: {
      maxItems: number;
      selector: unknown;
      batcher?: Batcher;
      scope: Scope;
      objectsDir?: string;
    },
  ) {
    this.stream = openItems(source, from.cursor, opts.objectsDir);
    this.read = from.items;
  }

  /** Where the first item not yet in a child's input starts. */
  get position(): ReadPosition {
    return this.pending
      ? { cursor: this.pending.before, items: this.read - 1 }
      : { cursor: this.stream.cursor, items: this.read };
  }

  close(): void {
    this.stream.close();
  }

  /** The next child's input and how many items it holds, or undefined when every item is taken. */
  async next(): Promise<{ input: unknown; count: number } | undefined> {
    const b = this.opts.batcher;
    if (!b) {
      const item = await this.item();
      return item && { input: item.value, count: 1 };
    }
    const items: unknown[] = [];
    const shape = (list: unknown[]) => (b.input === undefined ? { Items: list } : { BatchInput: b.input, Items: list });
    let size = b.maxBytes === undefined ? 0 : utf8Bytes(JSON.stringify(shape([])));
    while (b.maxItems === undefined || items.length < b.maxItems) {
      const item = await this.item();
      if (!item) break;
      if (b.maxBytes !== undefined) {
        const more = utf8Bytes(JSON.stringify(item.value)) + (items.length ? 1 : 0); // and a comma
        if (items.length && size + more > b.maxBytes) {
          this.pending = item;
          break;
        }
        size += more;
      }
      items.push(item.value);
    }
    return items.length ? { input: shape(items), count: items.length } : undefined;
  }

  /** The next item through the ItemSelector, with the cursor before it. */
  private async item(): Promise<{ value: unknown; before: Cursor } | undefined> {
    if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      return p;
    }
    if (this.opts.maxItems && this.read >= this.opts.maxItems) return undefined;
    const before = this.stream.cursor;
    const next = this.stream.next();
    if (!next) return undefined;
    const index = this.read++;
    return { value: await selectItem(this.opts.selector, this.opts.scope, index, next.value), before };
  }
}
