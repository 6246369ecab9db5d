/**
 * OBS control over obs-websocket 5: the connection settings (the password is not here: it is in the
 * secret store), the actions a rule can ask of the `obs` reaction service, and its HostApi method.
 *
 * A rule names the actions as data: its `enrichments.annotations` carry `{kind: 'obs.actions',
 * value: [...]}` and its slip has the `obs` step, e.g. "on raid → switch to the raid scene for 20 s":
 * `[{ do: 'switchScene', scene: 'Raid', seconds: 20 }]`. The service parses them with these schemas,
 * since a rule is edited by hand.
 */
import { z } from 'zod';
import { SERVICE_IDS } from './service.js';

export const OBS_SERVICE = SERVICE_IDS.obs;
export const OBS_ACTIONS_ANNOTATION = 'obs.actions';
export const OBS_CONNECTOR = 'obs';

const name = z.string().trim().min(1).max(200);
/** A timed action goes back after this many seconds (the scene before, the source's other state). */
const seconds = z.number().min(1).max(3600).optional();

export const ObsActionSchema = z.discriminatedUnion('do', [
  z.strictObject({ do: z.literal('switchScene'), scene: name, seconds }),
  z.strictObject({
    do: z.literal('showSource'),
    scene: name,
    source: name,
    visible: z.boolean().default(true),
    seconds,
  }),
  /** `{user}`, `{headline}` and `{message}` are filled in from the event, as in alert templates. */
  z.strictObject({ do: z.literal('setText'), input: name, text: z.string().max(2000) }),
  z.strictObject({ do: z.literal('startRecording') }),
  z.strictObject({ do: z.literal('stopRecording') }),
]);
export type ObsAction = z.infer<typeof ObsActionSchema>;
export const ObsActionsSchema = z.array(ObsActionSchema).min(1).max(20);

export const ObsSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** obs-websocket's address (OBS → Tools → WebSocket Server Settings); loopback by default. */
  url: z
    .string()
    .trim()
    .max(200)
    .regex(/^wss?:\/\/[^\s/]+(\/\S*)?$/, 'a ws:// or wss:// address, e.g. ws://127.0.0.1:4455')
    .default('ws://127.0.0.1:4455'),
});
export type ObsSettings = z.infer<typeof ObsSettingsSchema>;
export const DEFAULT_OBS_SETTINGS: ObsSettings = ObsSettingsSchema.parse({});

/** What the host sends the reaction worker (the password in memory only; null: OBS off). */
export interface ObsWorkerConfig {
  url: string;
  password: string | null;
}

export const ObsApiParams = {
  /** Stores the obs-websocket password in the secret store (never SQLite or logs); empty removes it. */
  'obs.setPassword': z.object({ password: z.string().max(200) }),
} as const;

export interface ObsApi {
  'obs.setPassword'(
    params: z.input<(typeof ObsApiParams)['obs.setPassword']>,
  ): Promise<{ ok: boolean; message: string }>;
}
