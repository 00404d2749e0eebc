/** How a channel adapter says a send did not happen. Names are explicit: bundlers rename classes. */

/** The provider refused the message for good (bad number, suppressed address): never retried. */
export class SendRejectedError extends Error {
  override readonly name = 'Baton.SendRejected';
}

/** The provider throttled the request before accepting it: nothing went out, a retry is safe. */
export class SendThrottledError extends Error {
  override readonly name = 'Baton.SendThrottled';
}

/**
 * The provider refused the request (a 4xx answer: account suspended, sending paused, quota spent,
 * not authorized): nothing went out, so the send is `failed`, not `unknown`; it is not retried,
 * since the cause is the account, not the moment.
 */
export class SendRefusedError extends Error {
  override readonly name = 'Baton.SendRefused';
}
