/**
 * The `obs` reaction service: runs the OBS actions the chosen rule put on the event (annotation
 * `obs.actions`): switch scene, show/hide a source, set a text source, start/stop recording. A timed
 * action ("the raid scene for 20 s") is done at once and undone by a timer in this worker, so the
 * event's reply is not held for those seconds; the step's notes say what was done and what will be
 * undone. OBS not connected: the step is skipped with the reason (the connectors list shows why).
 * OBS refusing an action (no such scene): the step fails with OBS's words, visible in the event detail.
 */
import { renderAlertTemplate } from '../../core/alerts.js';
import { eventHeadline } from '../../core/event-headline.js';
import type { Envelope } from '../../core/envelope.js';
import { describeIssues } from '../../core/envelope.js';
import { OBS_ACTIONS_ANNOTATION, OBS_SERVICE, ObsActionsSchema, type ObsAction } from '../../core/obs.js';
import { StepFailure, type Service } from '../../core/service.js';
import type { ObsLink } from './obs-link.js';

export function createObsService(deps: {
  link: Pick<ObsLink, 'call' | 'connected'>;
  /** Undoes a timed action later (tests pass their own clock). */
  later?: (ms: number, run: () => void) => void;
  log?: (message: string) => void;
}): Service {
  const timers = new Set<NodeJS.Timeout>();
  const later =
    deps.later ??
    ((ms: number, run: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, ms);
      timers.add(timer);
    });
  const undo = (what: string, run: () => Promise<unknown>) => () =>
    void run().catch((error: unknown) => deps.log?.(`OBS could not undo ${what}: ${String(error)}`));

  const run = async (action: ObsAction, event: Readonly<Envelope>): Promise<string> => {
    const { link } = deps;
    switch (action.do) {
      case 'switchScene': {
        const before = action.seconds
          ? String((await link.call('GetCurrentProgramScene'))['currentProgramSceneName'] ?? '')
          : '';
        await link.call('SetCurrentProgramScene', { sceneName: action.scene });
        if (!action.seconds || !before || before === action.scene) return `scene ${action.scene}`;
        later(
          action.seconds * 1000,
          undo(`the switch to ${action.scene}`, () => link.call('SetCurrentProgramScene', { sceneName: before })),
        );
        return `scene ${action.scene}, back to ${before} in ${action.seconds} s`;
      }
      case 'showSource': {
        const { sceneItemId } = await link.call('GetSceneItemId', {
          sceneName: action.scene,
          sourceName: action.source,
        });
        const target = { sceneName: action.scene, sceneItemId };
        await link.call('SetSceneItemEnabled', { ...target, sceneItemEnabled: action.visible });
        const verb = action.visible ? 'shown' : 'hidden';
        if (!action.seconds) return `${action.source} ${verb}`;
        later(
          action.seconds * 1000,
          undo(`${action.source} ${verb}`, () =>
            link.call('SetSceneItemEnabled', { ...target, sceneItemEnabled: !action.visible }),
          ),
        );
        return `${action.source} ${verb} for ${action.seconds} s`;
      }
      case 'setText': {
        const text = renderAlertTemplate(action.text, {
          user: event.identity.external.displayName,
          headline: eventHeadline(event.type, event.details) ?? '',
          message: event.message?.text ?? null,
        });
        await link.call('SetInputSettings', { inputName: action.input, inputSettings: { text } });
        return `${action.input} set to “${text}”`;
      }
      case 'startRecording':
        await link.call('StartRecord');
        return 'recording started';
      case 'stopRecording':
        await link.call('StopRecord');
        return 'recording stopped';
    }
  };

  return {
    id: OBS_SERVICE,
    phase: 'reaction',
    async run(event) {
      const annotation = [...event.annotations].reverse().find((item) => item.kind === OBS_ACTIONS_ANNOTATION);
      if (!annotation) return { status: 'SKIP', notes: ['no OBS actions: the rule carries no obs.actions annotation'] };
      const parsed = ObsActionsSchema.safeParse(annotation.value);
      if (!parsed.success)
        throw new StepFailure('OBS_ACTIONS_INVALID', `obs.actions: ${describeIssues(parsed.error)}`, false);
      if (!deps.link.connected()) return { status: 'SKIP', notes: ['OBS is not connected (see Connections)'] };
      const notes: string[] = [];
      for (const action of parsed.data) {
        try {
          notes.push(await run(action, event));
        } catch (error) {
          throw new StepFailure(
            'OBS_REFUSED',
            [...notes, error instanceof Error ? error.message : String(error)].join('; '),
            false,
          );
        }
      }
      return { status: 'OK', notes };
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
