/**
 * Journey-wide settings: Limits → `entry` (EndpointReentryCap → limit, EndpointReentryInterval →
 * cooldown) and `settings.frequencyCap` (one of TimeframeCap, DailyCap, TotalCap: Baton keeps
 * one cap per journey); QuietTime and WaitForQuietTime → `settings.quietHours` (defer or skip);
 * Schedule.Timezone → `settings.timezone`. OpenHours, ClosedDays and the rest with no Baton
 * equivalent are reported.
 */
import type { Journey } from '../../journey/schema';
import { show } from '../../journey/schema';
import type { JourneyDefinition } from './model';
import type { Report } from './report';
import { parseDuration, zoneOfOffset } from './times';

export type Entry = NonNullable<Journey['entry']>;
export type Settings = NonNullable<Journey['settings']>;

/** The journey's time zone from Schedule.Timezone, when it names one. */
export function scheduleZone(def: JourneyDefinition, report: Report): string | undefined {
  const tz = def.Schedule?.Timezone;
  if (tz === undefined) return undefined;
  const zone = zoneOfOffset(tz)!;
  switch (zone.kind) {
    case 'exact':
      return zone.zone;
    case 'place':
      report.note(
        '/Schedule/Timezone',
        `${show(tz)} is written as ${zone.zone}, which keeps that offset all year today (Etc/GMT zones only count whole hours)`,
      );
      return zone.zone;
    case 'seasonal':
      report.todo(
        '/Schedule/Timezone',
        `${show(tz)} has no fixed-offset IANA zone; written as ${zone.zone}, which shows that offset for part of the year only: set settings.timezone to your audience's zone`,
      );
      return zone.zone;
  }
}

/** Entry rules from Limits. */
export function entryOf(def: JourneyDefinition, report: Report): Entry | undefined {
  const limits = def.Limits ?? {};
  const entry: Entry = {};
  if (limits.EndpointReentryCap !== undefined && limits.EndpointReentryCap > 0) entry.limit = limits.EndpointReentryCap;
  if (limits.EndpointReentryInterval !== undefined) {
    const d = parseDuration(limits.EndpointReentryInterval)!;
    entry.cooldown = d.text;
    if (d.text !== limits.EndpointReentryInterval)
      report.note(
        '/Limits/EndpointReentryInterval',
        `${show(limits.EndpointReentryInterval)} is written as ${d.text}: Baton writes durations in whole units`,
      );
  }
  return Object.keys(entry).length ? entry : undefined;
}

/** frequencyCap, quietHours and timezone. */
export function settingsOf(def: JourneyDefinition, zone: string | undefined, report: Report): Settings | undefined {
  const settings: Settings = {};
  const cap = frequencyCap(def, report);
  if (cap) settings.frequencyCap = cap;
  const quiet = def.QuietTime;
  if (quiet?.Start !== undefined && quiet.End !== undefined) {
    if (quiet.Start === quiet.End)
      report.todo('/QuietTime', `quiet time starts and ends at ${quiet.Start}: no window; not imported`);
    else {
      const action = def.WaitForQuietTime ? 'defer' : 'skip';
      settings.quietHours = { start: quiet.Start, end: quiet.End, action };
      report.note(
        '/QuietTime',
        `quiet time applies to marketing sends in each customer's zone; ${action === 'defer' ? 'WaitForQuietTime: messages wait until it ends (defer)' : 'without WaitForQuietTime, messages due in it are not sent (skip)'}. Pinpoint sent anyway to endpoints with no time zone; Baton uses settings.timezone for customers without one`,
      );
      if (zone === undefined) {
        zone = 'UTC';
        report.todo(
          '/QuietTime',
          "Baton needs settings.timezone with quiet hours (for customers without a zone); the journey has no Schedule.Timezone: written as UTC, set your audience's zone",
        );
      }
    }
  } else if (def.WaitForQuietTime !== undefined)
    report.note('/WaitForQuietTime', 'WaitForQuietTime without a QuietTime has nothing to wait for; not imported');
  if (zone !== undefined) settings.timezone = zone;
  if (def.SendingSchedule)
    report.todo(
      '/SendingSchedule',
      'Baton has no advanced quiet time (SendingSchedule): only the quiet hours above, every day, for every channel',
    );
  if (def.OpenHours)
    report.todo(
      '/OpenHours',
      'Baton has no per-channel open hours: only quiet hours, every day, for every channel; narrow quietHours, or hold sends with a wait until the hour by hand',
    );
  if (def.ClosedDays)
    report.todo(
      '/ClosedDays',
      'Baton has no closed days: hold sends over those days with a wait until, or pause the journey by hand',
    );
  if (def.JourneyChannelSettings)
    report.todo(
      '/JourneyChannelSettings',
      "Baton reaches a contact center through the deployment's phone hand-off destination (baton:destinations handoffs.phone), not an Amazon Connect campaign of the journey: route handoff.created to that campaign",
    );
  const rate = def.Limits?.MessagesPerSecond;
  if (rate !== undefined && !def.StartCondition?.SegmentStartCondition)
    report.todo(
      '/Limits/MessagesPerSecond',
      `Baton has no per-journey send rate (${rate}/s): provider throughput is set per deployment (the SMS origination and SES quotas of docs/operations.md)`,
    );
  if (def.TimezoneEstimationMethods?.length)
    report.todo(
      '/TimezoneEstimationMethods',
      `Baton reads the profile's timezone and does not estimate it: set profile.timezone when you import profiles (Pinpoint estimated it from ${def.TimezoneEstimationMethods.join(' and ')})`,
    );
  return Object.keys(settings).length ? settings : undefined;
}

type Cap = NonNullable<Settings['frequencyCap']>;

function frequencyCap(def: JourneyDefinition, report: Report): Cap | undefined {
  const limits = def.Limits ?? {};
  const caps: { at: string; cap: Cap; what: string }[] = [];
  const frame = limits.TimeframeCap;
  if (frame?.Cap && frame.Days)
    caps.push({
      at: '/Limits/TimeframeCap',
      cap: { max: frame.Cap, per: `P${frame.Days}D`, scope: 'customer', action: 'skip' },
      what: `at most ${frame.Cap} messages per customer from all journeys in ${frame.Days} days`,
    });
  if (limits.DailyCap)
    caps.push({
      at: '/Limits/DailyCap',
      cap: { max: limits.DailyCap, per: 'P1D', scope: 'journey', action: 'skip' },
      what: `at most ${limits.DailyCap} messages per customer from this journey in 24 hours`,
    });
  if (limits.TotalCap) {
    caps.push({
      at: '/Limits/TotalCap',
      cap: { max: limits.TotalCap, per: 'P365D', scope: 'journey', action: 'skip' },
      what: `at most ${limits.TotalCap} messages per customer from this journey`,
    });
  }
  const [chosen, ...others] = caps;
  if (!chosen) return undefined;
  if (chosen.at === '/Limits/TotalCap')
    report.note(
      chosen.at,
      'counted over a rolling year: an instance lasts at most a year, so within one entry it is exact; across re-entries it counts the last year',
    );
  for (const o of others)
    report.todo(
      o.at,
      `Baton keeps one frequency cap per journey and it is ${chosen.at.slice(8)} here; this one (${o.what}) is not applied`,
    );
  return chosen.cap;
}
