/**
 * A local server speaking obs-websocket 5 (rpcVersion 1) for the real obs-websocket-js client, built
 * from the protocol document (obsproject/obs-websocket docs/generated/protocol.md):
 *
 * - Subprotocol `obswebsocket.json`; every message is `{op, d}` JSON text.
 * - Hello (op 0) with `obsWebSocketVersion`, `rpcVersion` and, with a password, `authentication`
 *   `{challenge, salt}`; Identify (op 1) must carry `authentication` =
 *   base64(sha256(base64(sha256(password + salt)) + challenge)), else close 4009 (AuthenticationFailed);
 *   Identified (op 2) with `negotiatedRpcVersion`. A Request before Identify closes 4007 (NotIdentified).
 * - Request (op 6) `{requestType, requestId, requestData}` → RequestResponse (op 7) `{requestType,
 *   requestId, requestStatus: {result, code, comment?}, responseData}`; codes 100 Success, 204
 *   UnknownRequestType, 500 OutputRunning, 501 OutputNotRunning, 600 ResourceNotFound.
 * - Event (op 5) `{eventType, eventIntent, eventData}`: CurrentProgramSceneChanged (intent Scenes, 1 << 2),
 *   SceneItemEnableStateChanged (SceneItems, 1 << 7), InputSettingsChanged is not an event in v5 (none sent),
 *   RecordStateChanged (Outputs, 1 << 6); sent to clients whose `eventSubscriptions` include the intent.
 *
 * Requests implemented: GetVersion, GetCurrentProgramScene, SetCurrentProgramScene, GetSceneItemId,
 * SetSceneItemEnabled, GetSceneItemEnabled, SetInputSettings, GetInputSettings, StartRecord, StopRecord,
 * GetRecordStatus.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export const OBS_SUBPROTOCOL = 'obswebsocket.json';
const INTENT = { Scenes: 1 << 2, Outputs: 1 << 6, SceneItems: 1 << 7 };
/** The default `eventSubscriptions` (EventSubscription.All, without the high-volume ones). */
const ALL_EVENTS = 0x7ff;

export interface ObsSceneSpec {
  name: string;
  items: string[];
}

export interface ObsServerState {
  currentScene: string;
  scenes: Map<string, { id: number; source: string; enabled: boolean }[]>;
  inputs: Map<string, Record<string, unknown>>;
  recording: boolean;
}

export interface ObsWebSocketServer {
  url: string;
  port: number;
  state: ObsServerState;
  /** Every request in order, as `RequestType` (with data). */
  requests: { requestType: string; requestData: Record<string, unknown> }[];
  /** Close codes the server sent (4009 for a wrong password). */
  closeCodes: number[];
  /** Identified sessions currently open. */
  sessions(): number;
  /** Drops every connection (OBS quit). */
  dropAll(): void;
  close(): Promise<void>;
}

const authString = (password: string, salt: string, challenge: string) => {
  const secret = createHash('sha256')
    .update(password + salt)
    .digest('base64');
  return createHash('sha256')
    .update(secret + challenge)
    .digest('base64');
};

export async function startObsWebSocketServer(options: {
  password?: string;
  scenes: ObsSceneSpec[];
  inputs?: Record<string, Record<string, unknown>>;
  port?: number;
}): Promise<ObsWebSocketServer> {
  let nextItemId = 1;
  const state: ObsServerState = {
    currentScene: options.scenes[0]?.name ?? '',
    scenes: new Map(
      options.scenes.map((scene) => [
        scene.name,
        scene.items.map((source) => ({ id: nextItemId++, source, enabled: true })),
      ]),
    ),
    inputs: new Map(Object.entries(options.inputs ?? {})),
    recording: false,
  };
  const requests: ObsWebSocketServer['requests'] = [];
  const closeCodes: number[] = [];
  const identified = new Map<WebSocket, number>();

  const server = http.createServer((_, response) => response.writeHead(426).end());
  const wss = new WebSocketServer({
    server,
    handleProtocols: (protocols) => (protocols.has(OBS_SUBPROTOCOL) ? OBS_SUBPROTOCOL : false),
  });
  const send = (ws: WebSocket, op: number, d: unknown) => ws.send(JSON.stringify({ op, d }));
  const closeWith = (ws: WebSocket, code: number, reason: string) => {
    closeCodes.push(code);
    ws.close(code, reason);
  };
  const emit = (eventType: string, eventIntent: number, eventData: Record<string, unknown>) => {
    for (const [ws, subscriptions] of identified)
      if (subscriptions & eventIntent) send(ws, 5, { eventType, eventIntent, eventData });
  };

  type Answer = { code: number; comment?: string; data?: Record<string, unknown> };
  const ok = (data?: Record<string, unknown>): Answer => ({ code: 100, ...(data ? { data } : {}) });
  const notFound = (comment: string): Answer => ({ code: 600, comment });
  const item = (data: Record<string, unknown>) => {
    const items = state.scenes.get(String(data['sceneName']));
    if (!items) return null;
    if (typeof data['sceneItemId'] === 'number') return items.find((entry) => entry.id === data['sceneItemId']) ?? null;
    return items.find((entry) => entry.source === data['sourceName']) ?? null;
  };

  const handle = (requestType: string, data: Record<string, unknown>): Answer => {
    switch (requestType) {
      case 'GetVersion':
        return ok({ obsVersion: '30.2.0', obsWebSocketVersion: '5.5.0', rpcVersion: 1, availableRequests: [] });
      case 'GetCurrentProgramScene':
        return ok({ currentProgramSceneName: state.currentScene, sceneName: state.currentScene });
      case 'SetCurrentProgramScene': {
        const name = String(data['sceneName']);
        if (!state.scenes.has(name)) return notFound(`No source was found by the name of \`${name}\`.`);
        state.currentScene = name;
        emit('CurrentProgramSceneChanged', INTENT.Scenes, { sceneName: name });
        return ok();
      }
      case 'GetSceneItemId': {
        const found = item(data);
        return found ? ok({ sceneItemId: found.id }) : notFound('No scene items were found with that name.');
      }
      case 'GetSceneItemEnabled': {
        const found = item(data);
        return found ? ok({ sceneItemEnabled: found.enabled }) : notFound('No scene item found.');
      }
      case 'SetSceneItemEnabled': {
        const found = item(data);
        if (!found) return notFound('No scene item found.');
        found.enabled = data['sceneItemEnabled'] === true;
        emit('SceneItemEnableStateChanged', INTENT.SceneItems, {
          sceneName: data['sceneName'],
          sceneItemId: found.id,
          sceneItemEnabled: found.enabled,
        });
        return ok();
      }
      case 'GetInputSettings': {
        const settings = state.inputs.get(String(data['inputName']));
        return settings ? ok({ inputSettings: settings, inputKind: 'text_ft2_source_v2' }) : notFound('No input.');
      }
      case 'SetInputSettings': {
        const name = String(data['inputName']);
        const settings = state.inputs.get(name);
        if (!settings) return notFound(`No source was found by the name of \`${name}\`.`);
        state.inputs.set(name, { ...settings, ...(data['inputSettings'] as Record<string, unknown>) });
        return ok();
      }
      case 'StartRecord':
        if (state.recording) return { code: 500, comment: 'The output is already running.' };
        state.recording = true;
        emit('RecordStateChanged', INTENT.Outputs, { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' });
        return ok();
      case 'StopRecord':
        if (!state.recording) return { code: 501, comment: 'The output is not running.' };
        state.recording = false;
        emit('RecordStateChanged', INTENT.Outputs, {
          outputActive: false,
          outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED',
        });
        return ok({ outputPath: '/tmp/recording.mkv' });
      case 'GetRecordStatus':
        return ok({ outputActive: state.recording });
      default:
        return { code: 204, comment: 'Your request type is not valid.' };
    }
  };

  wss.on('connection', (ws) => {
    const salt = randomBytes(32).toString('base64');
    const challenge = randomBytes(32).toString('base64');
    send(ws, 0, {
      obsWebSocketVersion: '5.5.0',
      rpcVersion: 1,
      ...(options.password ? { authentication: { challenge, salt } } : {}),
    });
    ws.on('close', () => identified.delete(ws));
    ws.on('message', (raw) => {
      let message: { op?: unknown; d?: Record<string, unknown> };
      try {
        message = JSON.parse(String(raw)) as typeof message;
      } catch {
        return closeWith(ws, 4002, 'Unable to decode the message.');
      }
      const d = message.d ?? {};
      if (message.op === 1) {
        if (identified.has(ws)) return closeWith(ws, 4008, 'Already identified.');
        if (d['rpcVersion'] !== 1) return closeWith(ws, 4010, 'Unsupported rpc version.');
        if (options.password && d['authentication'] !== authString(options.password, salt, challenge))
          return closeWith(ws, 4009, 'Authentication failed.');
        identified.set(ws, typeof d['eventSubscriptions'] === 'number' ? d['eventSubscriptions'] : ALL_EVENTS);
        return send(ws, 2, { negotiatedRpcVersion: 1 });
      }
      if (!identified.has(ws)) return closeWith(ws, 4007, 'Not identified.');
      if (message.op === 6) {
        const requestType = String(d['requestType']);
        const requestData = (d['requestData'] as Record<string, unknown> | undefined) ?? {};
        requests.push({ requestType, requestData });
        const answer = handle(requestType, requestData);
        return send(ws, 7, {
          requestType,
          requestId: d['requestId'],
          requestStatus: {
            result: answer.code === 100,
            code: answer.code,
            ...(answer.comment ? { comment: answer.comment } : {}),
          },
          ...(answer.data ? { responseData: answer.data } : {}),
        });
      }
      return closeWith(ws, 4006, 'Unknown op code.');
    });
  });

  server.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    state,
    requests,
    closeCodes,
    sessions: () => identified.size,
    dropAll() {
      for (const ws of wss.clients) ws.terminate();
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
