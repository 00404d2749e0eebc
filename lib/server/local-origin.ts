/**
 * Who may talk to `baton dev`. It listens on 127.0.0.1, but any web page the user visits can make
 * the browser send requests there: directly (a form or a `text/plain` fetch needs no preflight) or
 * through DNS rebinding (a name of the attacker's that now resolves to 127.0.0.1). Such a request
 * always carries the page's Origin, and a rebound one the attacker's name as its Host, so both
 * are held to the loopback names. Programs (curl, channel systems) send no Origin and pass.
 */
import { show } from '../journey/schema';
import { type ApiResponse, errorBody } from './response';

/** The names this machine's loopback goes by: the only Hosts a browser uses for the local server. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * A 403 for a request a browser sent on behalf of another site, or undefined when it may go on.
 * `port` is the port the request came in on.
 */
export function refuseForeign(headers: { host?: string; origin?: string }, port: number): ApiResponse | undefined {
  const hosts = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
  const host = headers.host?.toLowerCase();
  // Without a port a Host means port 80: no browser sends that for this server unless it is there.
  if (host !== undefined && !hosts.includes(host) && !(port === 80 && LOOPBACK_NAMES.includes(host))) {
    return errorBody(
      403,
      'forbidden-host',
      `Host ${show(headers.host)} is not this server: baton dev answers to ${hosts.join(', ')} only (another name is a web page reaching it through DNS rebinding)`,
    );
  }
  // A browser leaves the default port out of an Origin.
  const origins = LOOPBACK_NAMES.map((name) => (port === 80 ? `http://${name}` : `http://${name}:${port}`));
  if (headers.origin !== undefined && !origins.includes(headers.origin.toLowerCase())) {
    return errorBody(
      403,
      'forbidden-origin',
      `requests from the web page at ${show(headers.origin)} are refused: baton dev takes requests without an Origin (curl, channel systems) or from its own console at ${origins.join(', ')}`,
    );
  }
  return undefined;
}
