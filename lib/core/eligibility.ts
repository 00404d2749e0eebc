/** Whether a channel may carry a message to this customer now (SPEC §2–§3). */
import type { Profile } from './profile';

export type SuppressionReason = 'consent' | 'no-address' | 'quiet-hours' | 'frequency-cap' | 'no-eligible-channel';

/** The customer's address on a channel, if the profile has one. */
export function addressOf(profile: Profile | undefined, channel: 'sms' | 'email'): string | undefined {
  return channel === 'sms' ? profile?.phone : profile?.email;
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

/** The first eligible channel and its address, or why none was. */
export function chooseChannel(
  profile: Profile | undefined,
  candidates: ('sms' | 'email')[],
  purpose: 'marketing' | 'transactional',
): { channel: 'sms' | 'email'; address: string } | { reason: SuppressionReason } {
  const reasons: SuppressionReason[] = [];
  for (const channel of candidates) {
    const address = addressOf(profile, channel);
    if (!address) reasons.push('no-address');
    else if (!consentAllows(profile, channel, purpose)) reasons.push('consent');
    else return { channel, address };
  }
  return { reason: reasons.length === 1 ? reasons[0] : 'no-eligible-channel' };
}
