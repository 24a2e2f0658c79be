// The "Train it yourself" island: a button that loads the trainer (TrainerPanel.tsx, with Plot, zod, the
// engines and the kernels: a separate chunk) only when the reader asks for it, so the article's initial
// JavaScript stays small (test/js-budget.test.ts). The standalone page opens it at once (`open`).

import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { TrainerPanelProps } from "./TrainerPanel.tsx";

export interface TrainLauncherProps extends TrainerPanelProps {
  /** Load the trainer without waiting for the button (the standalone page). */
  open?: boolean;
}

export default function TrainLauncher({ open = false, ...panel }: TrainLauncherProps) {
  const [wanted, setWanted] = useState(open);
  const [Panel, setPanel] = useState<ComponentType<TrainerPanelProps> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  // The button is rendered at build time too: until the island hydrates, a click would do nothing.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    if (!wanted || Panel) return;
    import("./TrainerPanel.tsx").then(
      (m) => setPanel(() => m.default),
      (e: Error) => setError(`The trainer could not be loaded (${e.message}).`),
    );
  }, [wanted, Panel, attempt]);
  if (Panel) return <Panel {...panel} />;
  return (
    <div class="pb-trainer__launch">
      {error ? (
        <p class="pb-trainer__problem" role="alert">
          {error} <button type="button" onClick={() => { setError(null); setAttempt((a) => a + 1); }}>Retry</button>
        </p>
      ) : (
        <button type="button" disabled={wanted || !hydrated} onClick={() => setWanted(true)}>{wanted ? "Loading the trainer…" : "Open the trainer"}</button>
      )}
    </div>
  );
}
