/**
 * `baton preview`: a journey's send steps rendered for one customer on every channel each may use,
 * the profile read from --profiles or from baton dev's data dir, and each variable that renders
 * empty listed with its file and line (exit 3) instead of left silently blank.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStore } from '../../lib/store/local-store';
import { putProfile } from '../../lib/store/profiles';
import { baton, spawnBaton } from './run-baton';

const dir = mkdtempSync(join(tmpdir(), 'baton-preview-'));
const profiles = join(dir, 'profiles.json');
writeFileSync(
  profiles,
  JSON.stringify([
    { customerId: 'c-ana', email: 'ana@example.com', consent: { email: 'opted_in' }, attributes: { firstName: 'Ana' } },
    { customerId: 'c-bo', email: 'bo@example.com' },
  ]),
);
const trigger = join(dir, 'trigger.json');
writeFileSync(
  trigger,
  JSON.stringify({
    id: 'e-1',
    type: 'checkout.abandoned',
    customerId: 'c-ana',
    channel: 'web',
    time: '2026-11-20T15:00:00Z',
    data: { cartId: 'cart-7', value: 120 },
  }),
);

describe('baton preview', () => {
  it('flags each variable that renders empty with its file, line and column, and exits 3', async () => {
    const args = ['preview', 'cart-recovery', '--customer', 'c-bo', '--profiles', profiles, '--step', 'nudge'];
    const r = await baton(...args);
    expect(r.code).toBe(3);
    // A code that is no failure reaches the process too: bin/baton.ts sets it and lets the output drain.
    expect(spawnBaton(...args)).toEqual(r);
    const email = r.out.split(/\n\n(?===)/).find((m) => m.includes('· email'));
    // A variable with a default ("there") is not missing; the cart id and the value, with no trigger given, are.
    expect(email).toBe(
      [
        '== cart-recovery · nudge · email for c-bo (templates/cart-nudge.email.liquid)',
        'Subject: Hi, your cart is waiting',
        'Hello there,',
        '',
        'You left some items in your cart (), worth .',
        'Pick up where you left off: https://shop.example.com/cart/',
        'missing: context.cartId rendered empty at templates/cart-nudge.email.liquid line 4, column 76',
        'missing: trigger.data.value rendered empty at templates/cart-nudge.email.liquid line 4, column 105',
        'missing: context.cartId rendered empty at templates/cart-nudge.email.liquid line 5, column 62',
      ].join('\n'),
    );
    // Every channel the step may use (preferred: each channel), push included.
    expect(r.out).toContain('== cart-recovery · nudge · push for c-bo (templates/cart-nudge.push.liquid)');
    expect(r.out).toContain('== cart-recovery · nudge · sms for c-bo (templates/cart-nudge.sms.liquid)');
  });

  it('renders with a trigger event and exits 0 when nothing is missing', async () => {
    const r = await baton(
      'preview',
      'cart-recovery',
      '--customer',
      'c-ana',
      '--profiles',
      profiles,
      '--trigger',
      trigger,
      '--step',
      'thanks',
    );
    expect(r).toEqual({
      code: 0,
      out: [
        '== cart-recovery · thanks · email for c-ana (templates/thanks.email.liquid)',
        'Subject: Thank you for your order',
        'Thank you, Ana! Your order for cart cart-7 is confirmed.',
        '',
        '',
      ].join('\n'),
      err: '',
    });
  });

  it("reads the profile from baton dev's data dir, and prints JSON when asked", async () => {
    const dataDir = join(dir, 'data');
    const store = await openLocalStore({ path: dataDir });
    await putProfile(
      store.table,
      { customerId: 'c-dev', email: 'dev@example.com', attributes: { firstName: 'Dee' } },
      Date.now(),
    );
    await store.close();
    const r = await baton(
      'preview',
      'cart-recovery',
      '--customer',
      'c-dev',
      '--data-dir',
      dataDir,
      '--step',
      'thanks',
      '--json',
    );
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toEqual({
      journey: 'cart-recovery',
      customerId: 'c-dev',
      messages: [
        {
          step: 'thanks',
          channel: 'email',
          template: 'thanks',
          file: 'templates/thanks.email.liquid',
          rendered: { subject: 'Thank you for your order', body: 'Thank you, Dee! Your order for cart  is confirmed.' },
          missing: [{ variable: 'context.cartId', file: 'templates/thanks.email.liquid', line: 2, column: 91 }],
        },
      ],
    });
  });

  it('says what is wrong with a step, a customer or a data dir', async () => {
    expect(
      await baton('preview', 'cart-recovery', '--customer', 'c-ana', '--profiles', profiles, '--step', 'wait-1h'),
    ).toEqual({
      code: 2,
      out: '',
      err: 'baton: --step: step must be a send step of cart-recovery: nudge, sms-last-call, thanks; found "wait-1h"\nrun baton preview --help for its usage\n',
    });
    expect(await baton('preview', 'cart-recovery', '--customer', 'c-zed', '--profiles', profiles)).toMatchObject({
      code: 1,
      err: `baton: no profile for customer c-zed in ${profiles}\n`,
    });
    expect(
      await baton('preview', 'cart-recovery', '--customer', 'c-ana', '--data-dir', join(dir, 'nope')),
    ).toMatchObject({
      code: 2,
      err: expect.stringContaining(
        `no data dir ${join(dir, 'nope')}: give --profiles FILE, or --data-dir DIR of baton dev`,
      ),
    });
  });
});
