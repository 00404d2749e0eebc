/** Which channel may carry a message to this customer now (SPEC §2–§3). */
import type { Profile } from './profile';

export type DeliveryChannel = 'sms' | 'email' | 'push';
export type SuppressionReason = 'consent' | 'no-address' | 'quiet-hours' | 'frequency-cap' | 'no-eligible-channel';

const DELIVERY: readonly string[] = ['sms', 'email', 'push'];

/** The customer's address on a channel, if the profile has one. */
export function addressOf(profile: Profile | undefined, channel: DeliveryChannel): string | undefined {
  if (channel === 'sms') return profile?.phone;
  if (channel === 'email') return profile?.email;
  return profile?.pushEndpoint;
}

/** Marketing needs opted_in; transactional needs not opted_out. */
export function consentAllows(
  profile: Profile | undefined,
  channel: string,
  purpose: 'marketing' | 'transactional',
): boolean {
  const status = profile?.consent?.[channel];
  return purpose === 'marketing' ? status === 'opted_in' : status !== 'opted_out';
}

/**
 * The channels to try, in order: `preferred` is the profile's preferred channel; `best` the one
 * this customer engaged with most (ties and no history: preferred). Rules that resolve to nothing
 * drop out; a channel appears once.
 */
export function resolveChannels(
  candidates: string[],
  profile: Profile | undefined,
  engagement: Record<string, number>,
): DeliveryChannel[] {
  const preferred = profile?.preferredChannel;
  const out: DeliveryChannel[] = [];
  for (const c of candidates) {
    let channel: string | undefined = c;
    if (c === 'preferred') channel = preferred;
    else if (c === 'best') channel = bestChannel(engagement, preferred);
    if (channel && DELIVERY.includes(channel) && !out.includes(channel as DeliveryChannel))
      out.push(channel as DeliveryChannel);
  }
  return out;
}

function bestChannel(engagement: Record<string, number>, preferred: string | undefined): string | undefined {
  let best = preferred;
  let top = preferred ? (engagement[preferred] ?? 0) : 0;
  for (const channel of DELIVERY) {
    const n = engagement[channel] ?? 0;
    if (n > top) {
      best = channel;
      top = n;
    }
  }
  return best;
}

/** The first eligible channel and its address, or why none was (the cap is checked before, per customer). */
export function chooseChannel(
  profile: Profile | undefined,
  channels: DeliveryChannel[],
  purpose: 'marketing' | 'transactional',
): { channel: DeliveryChannel; address: string } | { reason: SuppressionReason } {
  const reasons: SuppressionReason[] = [];
  for (const channel of channels) {
    const address = addressOf(profile, channel);
    if (!address) reasons.push('no-address');
    else if (!consentAllows(profile, channel, purpose)) reasons.push('consent');
    else return { channel, address };
  }
  if (reasons.length === 0) return { reason: 'no-address' };
  return { reason: reasons.length === 1 ? reasons[0] : 'no-eligible-channel' };
}
