/** How a channel adapter says a send did not happen. Names are explicit: bundlers rename classes. */

/** The provider refused the message for good (bad number, suppressed address): never retried. */
export class SendRejectedError extends Error {
  override readonly name = 'Baton.SendRejected';
}

/** The provider throttled the request before accepting it: nothing went out, a retry is safe. */
export class SendThrottledError extends Error {
  override readonly name = 'Baton.SendThrottled';
}
