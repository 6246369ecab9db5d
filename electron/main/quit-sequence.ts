/**
 * The graceful quit: Electron's `before-quit` is synchronous, so the first one is cancelled
 * (preventDefault), the host drains the pipeline, flushes and closes the database, and then the
 * app exits with app.exit() (which does not emit before-quit again). A second quit request while
 * stopping is cancelled too; a host that does not stop in time is abandoned with an error code.
 * https://www.electronjs.org/docs/latest/api/app#event-before-quit
 */
import type { HostLog } from './host-like.js';

export interface QuitApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  exit(exitCode?: number): void;
}

export interface QuitSequenceDeps {
  app: QuitApp;
  /** Stops the host (drain, flush, close). Null while the host has not started. */
  stopHost: () => Promise<void>;
  /** Runs first: save window bounds, remove the tray, flush logs. Errors are logged, never block the quit. */
  beforeStop?: () => void;
  /**
   * Runs after the host stopped (or failed to), just before app.exit(exitCode): the auto-updater
   * decides here whether its downloaded update may be installed as the app exits.
   */
  beforeExit?: (exitCode: number) => void;
  log: HostLog;
  timeoutMs?: number;
}

export type QuitPhase = 'running' | 'stopping' | 'stopped';

export interface QuitSequence {
  readonly phase: QuitPhase;
  /** True from the first quit request on: close-to-tray must let the window close then. */
  isQuitting(): boolean;
  /** Resolves with the exit code once app.exit has been called. */
  readonly done: Promise<number>;
}

export function installQuitSequence(deps: QuitSequenceDeps): QuitSequence {
  const timeoutMs = deps.timeoutMs ?? 15_000;
  let phase: QuitPhase = 'running';
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  const stop = async (): Promise<number> => {
    try {
      deps.beforeStop?.();
    } catch (error) {
      deps.log('warn', 'shutdown step failed', { error: (error as Error).message });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        deps.stopHost(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`host did not stop within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      deps.log('info', 'pipeline stopped; exiting');
      return 0;
    } catch (error) {
      deps.log('error', 'pipeline did not stop cleanly', { error: (error as Error).message });
      return 1;
    } finally {
      clearTimeout(timer);
    }
  };

  deps.app.on('before-quit', (event) => {
    if (phase === 'stopped') return;
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    deps.log('info', 'quit requested: draining the pipeline');
    void stop().then((code) => {
      phase = 'stopped';
      try {
        deps.beforeExit?.(code);
      } catch (error) {
        deps.log('warn', 'shutdown step failed', { error: (error as Error).message });
      }
      deps.app.exit(code);
      resolveDone(code);
    });
  });

  return {
    get phase() {
      return phase;
    },
    isQuitting: () => phase !== 'running',
    done,
  };
}
