/**
 * OBS control with the real obs-websocket-js against a local server that speaks obs-websocket 5
 * (test/support/obs-websocket-server.ts: Hello with the authentication challenge, Identify, requests,
 * events): the link's password handshake, health and reconnects; each action of the `obs` step; and
 * the whole app, where a raid rule switches to the raid scene for a while and back, the password
 * living only in the secret store.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { acceptInbound, type Envelope } from '../../core/envelope.js';
import { OBS_ACTIONS_ANNOTATION, OBS_SERVICE, type ObsAction } from '../../core/obs.js';
import { createRedactor } from '../../core/redaction.js';
import { StepFailure } from '../../core/service.js';
import { DEFAULT_RULES } from '../../core/rules.js';
import { serve, type Served } from '../cli/serve.js';
import { startObsWebSocketServer, type ObsWebSocketServer } from '../../../test/support/obs-websocket-server.js';
import { createObsLink, type ObsLink } from './obs-link.js';
import { createObsService } from './obs-service.js';
import { waitUntil } from '../../../test/support/wait.js';

const PASSWORD = 'obs-pass-7f3a9c1e5b';
const SCENES = [
  { name: 'Live', items: ['Camera', 'Follower goal'] },
  { name: 'Raid', items: ['Raid banner'] },
];

function raidEvent(actions: unknown): Envelope {
  const accepted = acceptInbound(
    {
      type: 'twitch.raid.v1',
      ingress: { connector: 'twitch-eventsub', channel: 'c' },
      identity: { external: { id: 'r1', login: 'ada', displayName: 'Ada', roles: [] } },
      details: { viewers: 12 },
    },
    Date.now(),
    randomUUID,
  );
  if (!accepted.ok) throw new Error('bad test event');
  const event = accepted.value;
  event.annotations.push({ kind: OBS_ACTIONS_ANNOTATION, source: 'rule:test', value: actions, at: Date.now() });
  return event;
}

const context = { signal: new AbortController().signal, attempt: 1, now: Date.now };

describe('OBS link and the obs step (obs-websocket-js against the local protocol server)', () => {
  let obs: ObsWebSocketServer;
  let link: ObsLink;
  const logs: string[] = [];
  const redactor = createRedactor();
  beforeAll(async () => {
    obs = await startObsWebSocketServer({
      password: PASSWORD,
      scenes: SCENES,
      inputs: { 'Last raider': { text: '' } },
    });
  });
  afterEach(async () => {
    await link?.close();
  });
  afterAll(async () => {
    await obs.close();
  });
  const newLink = () => (link = createObsLink({ redactor, log: (level, message) => logs.push(`${level} ${message}`) }));

  it('identifies with the password (challenge and salt), reports health, and reconnects when OBS comes back', async () => {
    newLink();
    await link.configure({ url: obs.url, password: PASSWORD });
    expect(link.health()).toMatchObject({ id: 'obs', state: 'connected' });
    expect(obs.sessions()).toBe(1);
    expect(await link.call('GetVersion')).toMatchObject({ rpcVersion: 1 });
    obs.dropAll();
    await waitUntil('the link to notice', () => link.health().state === 'reconnecting');
    await waitUntil('the link to reconnect', () => link.health().state === 'connected');
    expect(obs.sessions()).toBe(1);
  });

  it('says so when OBS refuses the password, and connects once the right one is stored', async () => {
    newLink();
    const before = obs.closeCodes.length;
    await link.configure({ url: obs.url, password: 'not-the-password' });
    await waitUntil('the refusal', () => link.health().state === 'failed');
    expect(obs.closeCodes.slice(before)).toEqual([4009]);
    expect(link.health().detail).toMatch(/refused the password/);
    expect(link.connected()).toBe(false);
    // Storing the right one connects.
    await link.configure({ url: obs.url, password: PASSWORD });
    expect(link.health().state).toBe('connected');
    expect(obs.closeCodes.slice(before)).toEqual([4009]);
  });

  it('runs each action, undoing timed ones later, and fails with what OBS said', async () => {
    newLink();
    await link.configure({ url: obs.url, password: PASSWORD });
    const undo: (() => void)[] = [];
    const service = createObsService({ link, later: (_ms, run) => undo.push(run) });
    const actions: ObsAction[] = [
      { do: 'switchScene', scene: 'Raid', seconds: 20 },
      { do: 'showSource', scene: 'Live', source: 'Follower goal', visible: false, seconds: 5 },
      { do: 'setText', input: 'Last raider', text: '{user} {headline}' },
      { do: 'startRecording' },
    ];
    const outcome = await service.run(raidEvent(actions), context);
    expect(outcome).toMatchObject({
      status: 'OK',
      notes: [
        'scene Raid, back to Live in 20 s',
        'Follower goal hidden for 5 s',
        'Last raider set to “Ada raided with 12 viewers”',
        'recording started',
      ],
    });
    expect(obs.state.currentScene).toBe('Raid');
    expect(obs.state.scenes.get('Live')!.find((item) => item.source === 'Follower goal')!.enabled).toBe(false);
    expect(obs.state.inputs.get('Last raider')).toEqual({ text: 'Ada raided with 12 viewers' });
    expect(obs.state.recording).toBe(true);
    // The timers fire: the scene and the source go back.
    for (const run of undo) run();
    await waitUntil('the undo', () => obs.state.currentScene === 'Live');
    await waitUntil(
      'the source back',
      () => obs.state.scenes.get('Live')!.find((item) => item.source === 'Follower goal')!.enabled,
    );
    expect((await service.run(raidEvent([{ do: 'stopRecording' }]), context)).status).toBe('OK');
    expect(obs.state.recording).toBe(false);

    const refused = await Promise.resolve(
      service.run(raidEvent([{ do: 'switchScene', scene: 'Nope' }]), context),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StepFailure);
    expect((refused as StepFailure).message).toMatch(/OBS refused SetCurrentProgramScene: .*Nope.* \(600\)/);
    const invalid = await Promise.resolve(service.run(raidEvent([{ do: 'explode' }]), context)).catch(
      (error: unknown) => error,
    );
    expect((invalid as StepFailure).code).toBe('OBS_ACTIONS_INVALID');
    expect((invalid as StepFailure).message).toMatch(/^obs\.actions: /);
  });

  it('skips the step with the reason when OBS is not connected', async () => {
    newLink();
    await link.configure(null);
    const service = createObsService({ link });
    expect(await service.run(raidEvent([{ do: 'startRecording' }]), context)).toMatchObject({
      status: 'SKIP',
      notes: ['OBS is not connected (see Connections)'],
    });
  });
});

describe('OBS control in the app', () => {
  let obs: ObsWebSocketServer;
  let served: Served;
  let dataDir: string;
  beforeAll(async () => {
    obs = await startObsWebSocketServer({ password: PASSWORD, scenes: SCENES });
    dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-obs-'));
    served = await serve({ dataDir, port: 0, lan: false, demo: null, log: () => undefined });
  });
  afterAll(async () => {
    await served?.stop();
    await obs?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('on a raid switches to the raid scene for a while and back; the password only in the secret store', async () => {
    const api = served.host.api;
    expect(await api['obs.setPassword']({ password: PASSWORD })).toMatchObject({ ok: true });
    expect((await api['settings.set']({ key: 'obs', value: { enabled: true, url: obs.url } })).ok).toBe(true);
    const health = await waitUntil('OBS in the connectors list', async () =>
      (await api['health.get']({})).connectors.find(
        (connector) => connector.id === 'obs' && connector.state === 'connected',
      ),
    );
    expect(health.detail).toContain(obs.url);

    // The streamer turns the shipped rule on, with a short time for the test.
    const shipped = DEFAULT_RULES.find((rule) => rule.id === 'raid-obs-scene')!;
    const saved = await api['rules.save']({
      rule: {
        ...shipped,
        enabled: true,
        enrichments: {
          annotations: [{ kind: OBS_ACTIONS_ANNOTATION, value: [{ do: 'switchScene', scene: 'Raid', seconds: 1 }] }],
        },
      },
    });
    expect(saved.ok).toBe(true);
    const [result] = await served.host.submit('test', [
      {
        type: 'twitch.raid.v1',
        ingress: { connector: 'twitch-eventsub', channel: 'c' },
        identity: { external: { id: 'r9', login: 'bo', displayName: 'Bo', roles: [] } },
        details: { viewers: 30 },
      },
    ]);
    if (!result?.ok) throw new Error('not accepted');
    const settled = await served.host.waitForSettled(result.id, { terminalOnly: true });
    expect(settled.disposition).toBe('replied');
    const detail = await api['events.get']({ id: result.id });
    const step = [...detail!.event.routing.history, ...detail!.event.routing.slip].find(
      (entry) => entry.id === OBS_SERVICE,
    );
    expect(step).toMatchObject({ status: 'OK', notes: ['scene Raid, back to Live in 1 s'] });
    const switches = () =>
      obs.requests
        .filter((request) => request.requestType === 'SetCurrentProgramScene')
        .map((request) => request.requestData['sceneName']);
    expect(switches()).toEqual(['Raid']);
    await waitUntil('the scene to go back', () => obs.state.currentScene === 'Live');
    expect(switches()).toEqual(['Raid', 'Live']);

    // Never in clear in SQLite, its WAL, backups or logs: only the secret store holds it, encrypted.
    await served.host.flush();
    const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    for (const file of files) {
      const path = join(file.parentPath, file.name);
      if (statSync(path).size > 50 * 1024 * 1024) continue;
      expect(readFileSync(path).includes(PASSWORD), path).toBe(false);
    }
  });
});
