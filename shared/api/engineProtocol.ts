// The messages between the desktop app's main process and its engine process
// (an Electron utility process running dist/cli/engineProcess.js). Plain data
// only: both sides post these with structured clone.

/** Main → engine. */
export type ToUtility =
  | { type: 'call'; callId: string; channel: string; request: unknown }
  | { type: 'cancel'; callId: string }
  | { type: 'open-file'; path: string }
  | { type: 'exit' };

/** Engine → main. */
export type FromUtility =
  | { type: 'progress'; callId: string; progress: unknown }
  | { type: 'outcome'; callId: string; outcome: unknown }
  | { type: 'event'; event: string; payload: unknown }
  | { type: 'ready' };
