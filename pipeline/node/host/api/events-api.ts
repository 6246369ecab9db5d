/** The HostApi's event methods: the feed's pages and details (host read connection), re-route, replay. */
import type { HostApi } from '../../../core/host-api.js';
import type { HostApiDeps } from './host-api-deps.js';

export function createEventsApi(
  deps: Pick<HostApiDeps, 'reader' | 'control' | 'submit'>,
): Pick<HostApi, 'events.list' | 'events.get' | 'events.reroute' | 'events.replay'> {
  const { reader } = deps;
  return {
    'events.list': async (query) => reader.listEvents(query),
    'events.get': async ({ id }) => reader.getEvent(id),
    'events.reroute': (params) => deps.control('router').call('reroute', params),
    'events.replay': async ({ id }) => {
      const detail = reader.getEvent(id);
      if (!detail) return { ok: false, error: 'no such event' };
      const original = detail.event;
      // A replay runs as a new event from the `replay` connector, so its reply goes to the console, never
      // back to the platform the original came from.
      const [result] = await deps.submit('replay', [
        {
          correlationId: original.id,
          type: original.type,
          ingress: { connector: 'replay', channel: original.ingress.channel, source: 'console-replay' },
          identity: { external: original.identity.external },
          ...(original.message
            ? {
                message: {
                  text: original.message.text,
                  ...(original.message.emotes ? { emotes: original.message.emotes } : {}),
                },
              }
            : {}),
          ...(original.details ? { details: original.details } : {}),
          ...(original.externalEvent ? { externalEvent: original.externalEvent } : {}),
        },
      ]);
      if (!result) return { ok: false, error: 'not accepted' };
      return result.ok ? { ok: true, value: { id: result.id } } : { ok: false, error: result.error };
    },
  };
}
