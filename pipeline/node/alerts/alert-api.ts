/**
 * The host's handlers for the alert methods of the HostApi (pipeline/core/alerts.ts): the sounds in
 * the data folder, and the console's "test alert", which is an ordinary event of that kind submitted
 * on the `alert-test` connector, so it runs the same `overlay-alerts` step as a real one (its own
 * rule keeps it out of chat).
 */
import { ALERT_EVENT_TYPES, ALERT_TEST_CONNECTOR, TEST_ALERT_DETAILS, type AlertApi } from '../../core/alerts.js';
import type { SubmitResult } from '../../core/protocol/pipeline.js';
import { deleteSound, listSounds, saveSound } from './sounds.js';

export function createAlertApi(deps: {
  dataDir: string;
  submit(connector: string, items: unknown[]): Promise<SubmitResult[]>;
}): AlertApi {
  return {
    'alerts.sounds.list': async () => listSounds(deps.dataDir),
    'alerts.sounds.upload': async ({ name, data }) => saveSound(deps.dataDir, name, data),
    'alerts.sounds.delete': async ({ name }) => ({ ok: deleteSound(deps.dataDir, name) }),
    'alerts.test': async ({ kind }) => {
      const [result] = await deps.submit(ALERT_TEST_CONNECTOR, [
        {
          type: ALERT_EVENT_TYPES[kind],
          ingress: { connector: ALERT_TEST_CONNECTOR, channel: ALERT_TEST_CONNECTOR },
          identity: {
            external: { id: 'alert-test', platform: 'test', login: 'testviewer', displayName: 'TestViewer', roles: [] },
          },
          details: { ...TEST_ALERT_DETAILS[kind], test: true },
          // What a viewer would have typed, so a test also shows (and, with speech on, says) the message.
          ...(kind === 'cheer' ? { message: { text: 'Cheer100 test alert' } } : {}),
          ...(kind === 'redemption' ? { message: { text: 'This is what the viewer typed' } } : {}),
        },
      ]);
      if (!result) return { ok: false, error: 'the test alert was not accepted' };
      return result.ok ? { ok: true, value: { eventId: result.id } } : { ok: false, error: result.error };
    },
  };
}
