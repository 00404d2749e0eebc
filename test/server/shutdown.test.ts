/**
 * Closing the local server lets the requests in progress finish before the store closes, even
 * when their client has already given up: an event is never cut short by a shutdown.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { VirtualClock } from '../../lib/engine/clock';
import { startLocalRuntime } from '../../lib/local/runtime';
import { listen } from '../../lib/server/http';
import { keys } from '../../lib/store/keys';
import { helloJourney } from '../helpers';

const T0 = Date.parse('2026-11-20T15:00:00Z');

it('finishes a batch whose client went away before closing the store', async () => {
  let started!: () => void;
  const processing = new Promise<void>((resolve) => {
    started = resolve;
  });
  const rt = await startLocalRuntime({
    journeys: [helloJourney()],
    clock: new VirtualClock(T0),
    onTimeline: (e) => {
      if (e.kind === 'entered') started();
    },
  });
  const local = await listen(rt.deps, 0);
  const events = Array.from({ length: 200 }, (_, i) => ({
    id: `e-${i}`,
    type: 'x.happened',
    customerId: `c-${i}`,
    channel: 'web',
    time: new Date(T0).toISOString(),
  }));
  const req = request({ host: '127.0.0.1', port: local.port, path: '/events', method: 'POST' });
  req.on('error', () => {}); // the client gives up below
  req.setHeader('content-type', 'application/json');
  req.end(JSON.stringify(events));
  await processing;
  req.destroy();
  await local.close();
  // Every event of the batch was processed to the end before close returned.
  const done = (await rt.table.scanPrefix(keys.event(''))).filter((i) => i.status === 'done');
  expect(done).toHaveLength(200);
  await rt.close();
});

it('lets go of a request whose client went away half-way through its body', async () => {
  const rt = await startLocalRuntime({ journeys: [helloJourney()], clock: new VirtualClock(T0) });
  const local = await listen(rt.deps, 0);
  const warned: string[] = [];
  const warn = jest.spyOn(rt.deps.log, 'warn').mockImplementation((message) => {
    warned.push(message);
  });
  const received = new Promise((resolve) => local.server.once('request', resolve));
  const socket = connect(local.port, '127.0.0.1');
  socket.write(
    'POST /events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n[{"id":',
  );
  await received;
  socket.destroy();
  // close() waits for every request in progress: a read still waiting for the rest would hang it.
  await local.close();
  expect(warned).toEqual(['request abandoned']);
  expect(await rt.table.scanPrefix(keys.event(''))).toEqual([]);
  warn.mockRestore();
  await rt.close();
});
