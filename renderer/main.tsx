/** Entry: pick the bridge, wire it to the store, ask the moderator's name once, render. */
import './zod-jitless.js';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import type { Bridge } from '../pipeline/core/bridge.js';
import { selectBridge } from './bridge/select-bridge.js';
import { browserScheduler } from './state/frame-batcher.js';
import { connectConsole, createConsoleStore, type ConsoleStore } from './state/store.js';
import { alertNewHeld } from './ui/alerts.js';
import { ConsoleContext } from './ui/context.js';
import { MODERATOR_KEY, ModeratorPrompt } from './views/FirstRun.js';
import './styles.css';

function Root({ bridge, store }: { bridge: Bridge; store: ConsoleStore }) {
  const [moderator, setModerator] = useState<string | null>(() => localStorage.getItem(MODERATOR_KEY));
  useEffect(
    () => connectConsole(bridge, store, { scheduler: browserScheduler, onNewHeld: alertNewHeld }),
    [bridge, store],
  );
  if (!moderator) return <ModeratorPrompt onName={setModerator} />;
  return (
    <ConsoleContext.Provider value={{ bridge, store, moderator }}>
      <App />
    </ConsoleContext.Provider>
  );
}

const root = createRoot(document.getElementById('root')!);
const choice = selectBridge();
if (choice.ok) {
  root.render(
    <StrictMode>
      <Root bridge={choice.bridge} store={createConsoleStore()} />
    </StrictMode>,
  );
} else {
  root.render(
    <div className="fatal" role="alert">
      <h1>BitBrat console</h1>
      <p>{choice.error}</p>
    </div>,
  );
}
