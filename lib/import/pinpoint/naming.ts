/**
 * Pinpoint names as Baton names: activity ids (up to 100 alphanumerics, case-sensitive) as step
 * ids (`^[a-z][a-z0-9-]{0,62}$`), journey names as journey ids, template names, event types,
 * attribute names and custom-channel destinations. Every rule is deterministic, so importing the
 * same file twice writes the same names.
 */
import { EVENT_TYPE_PATTERN } from '../../journey/schema';

const MAX_ID = 63;

/** Lower-case words joined by single hyphens: "Welcome New_Subscribers!" → "welcome-new-subscribers". */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Hands out unique ids that match a pattern; the first to ask for a name gets it. */
export class IdAllocator {
  private readonly taken = new Set<string>();

  constructor(
    private readonly fallback: string,
    private readonly max = MAX_ID,
  ) {}

  /** A unique id made from `wish`: slugged, starting with a letter, shortened with a -N suffix when needed. */
  allocate(wish: string): string {
    let base = slug(wish);
    if (!/^[a-z]/.test(base)) base = base ? `${this.fallback}-${base}` : this.fallback;
    base = base.slice(0, this.max).replace(/-+$/, '');
    let id = base;
    for (let n = 2; this.taken.has(id); n++) {
      const suffix = `-${n}`;
      id = `${base.slice(0, this.max - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    this.taken.add(id);
    return id;
  }

  /** Claim an id as it is (a name that must stay), when it is free. */
  claim(id: string): boolean {
    if (this.taken.has(id)) return false;
    this.taken.add(id);
    return true;
  }
}

/** A step allocator: step ids never clash with the reserved names below. */
export function stepIds(): IdAllocator {
  return new IdAllocator('step');
}

/** Journey ids, unique across one import; `^[a-z][a-z0-9-]{1,62}$`. */
export function journeyIds(): IdAllocator {
  return new IdAllocator('pinpoint');
}

/** Word boundaries of camelCase and PascalCase marked: CartNudge → Cart-Nudge, VIPUpgrade → VIP-Upgrade. */
function splitCamel(text: string, mark: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, `$1${mark}$2`).replace(/([A-Z])([A-Z][a-z])/g, `$1${mark}$2`);
}

/**
 * Template names: lower-case, `^[a-z0-9][a-z0-9_-]*$`; CartNudge → cart-nudge, and
 * Welcome_New_Subscribers → welcome_new_subscribers (underscores kept, as Pinpoint names use them).
 */
export function templateName(pinpointName: string): string {
  const name = splitCamel(pinpointName, '-')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '');
  return name || 'template';
}

/**
 * A Pinpoint event type as a Baton one (lower-case, dot-separated words of letters, digits and
 * underscores): "_session.start" → "session.start", "CartAbandoned" → "cart_abandoned",
 * "Purchase Completed" → "purchase_completed".
 */
export function eventType(pinpoint: string): string {
  const words = splitCamel(pinpoint, '_')
    .toLowerCase()
    .split('.')
    .map((w) => w.replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, ''))
    .filter((w) => w.length > 0);
  const type = words.join('.') || 'pinpoint.event';
  return EVENT_TYPE_PATTERN.test(type) ? type : 'pinpoint.event';
}

/**
 * A Pinpoint attribute (endpoint attribute, user attribute or metric) as a Baton profile attribute:
 * a leading capital of a capitalized word is lowered (FirstName → firstName, as Baton profiles
 * write them; VIP stays VIP), and characters a path cannot hold become underscores.
 */
export function profileAttribute(name: string): string {
  let out = name.replace(/[^A-Za-z0-9_-]+/g, '_');
  if (/^[A-Z][a-z0-9]/.test(out)) out = out[0].toLowerCase() + out.slice(1);
  if (!/^[A-Za-z_]/.test(out)) out = `_${out}`;
  return out.slice(0, 64);
}

/** An event attribute or metric as a field of the envelope's `data`: the name, with characters a path cannot hold as underscores. */
export function dataField(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '_') || '_';
}

/**
 * The destination a CUSTOM activity calls, named after its DeliveryUri: a Lambda function (name or
 * ARN) → `lambda.<function>`, an https URL → `webhook.<host>`. Only the host: a URL's path may
 * hold a secret (Slack-style webhook URLs do), and the name travels in the journey and its state
 * machine.
 */
export function destinationName(deliveryUri: string): string {
  const arn = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(deliveryUri);
  let kind = 'lambda';
  let name = arn?.[1] ?? deliveryUri.split(':')[0];
  if (/^https?:\/\//i.test(deliveryUri)) {
    kind = 'webhook';
    try {
      name = new URL(deliveryUri).hostname;
    } catch {
      name = deliveryUri.replace(/^https?:\/\//i, '').split(/[/?#@]/)[0];
    }
  }
  const part = slug(name.replace(/\./g, '-')).slice(0, 60) || 'custom';
  return `${kind}.${/^[a-z]/.test(part) ? part : `x-${part}`}`;
}

/** Destination names for the DeliveryUris of one import: one name per URI, never one for two. */
export class Destinations {
  private readonly byUri = new Map<string, string>();
  private readonly taken = new Set<string>();

  /** The destination of a DeliveryUri. */
  name(deliveryUri: string): string {
    const known = this.byUri.get(deliveryUri);
    if (known) return known;
    const base = destinationName(deliveryUri);
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}-${n}`;
    this.taken.add(name);
    this.byUri.set(deliveryUri, name);
    return name;
  }
}
