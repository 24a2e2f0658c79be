// "Train it yourself": the reader picks a density, K, steps, seed and the model, and trains a density
// level in this page (src/trainer/run.ts) on WebGPU or, without it, on the CPU in Web Workers; progress
// with model-steps/s and an ETA, Cancel, and a Retry after a cancel, an error, a lost device or a hidden
// tab. The result is drawn by the article's figure functions and analysis (result.ts), beside the
// committed winner at the same density, and the run is offered as a data file. Loaded only when the
// reader opens the trainer (TrainLauncher.tsx): it brings Plot, zod, the engines and the kernels.

import * as Plot from "@observablehq/plot";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ExperimentDeclaration } from "../../experiments/declarations.ts";
import { reproduceCommand } from "../../experiments/plan.ts";
import { formatDensity, formatDuration } from "../../figures/format.ts";
import { addTextAlternative } from "../../figures/text-alternative.ts";
import type { PlotSpec } from "../../figures/types.ts";
import type { ModelKind } from "../../model/config.ts";
import { BUNDLED_WGSL } from "../../train/webgpu/wgsl-bundled.ts";
import { MAX_STEPS, limitsFor, settingsProblem, type TrainerEngineName, type TrainerSettings } from "../../trainer/limits.ts";
import { TrainerStopped, probeWebGpu, trainInBrowser, type TrainerProgress, type TrainerRun, type WebGpuProbe } from "../../trainer/run.ts";
import { dataFileText, parseCommittedData, runResult, type CommittedData } from "./result.ts";

export interface TrainerPanelProps {
  id: string;
  /** URL of the article's winners (src/pages/trainer/committed.json.ts). */
  committedSrc: string;
  /** The site's commit, recorded in the data file. */
  commit: string;
  /** The declared experiments of the two models (src/experiments/declarations.ts): a run's retrain
   *  command names its differences from them. */
  experiments: Partial<Record<ModelKind, ExperimentDeclaration>>;
}

const createWorker = () => new Worker(new URL("../../train/simd/browser-worker.ts", import.meta.url), { type: "module" });

type Status =
  | { state: "idle" }
  | { state: "running"; progress: TrainerProgress }
  | { state: "stopped"; message: string }
  | { state: "failed"; message: string }
  | { state: "done"; run: TrainerRun };

/** A Plot spec drawn into a <div> by Plot itself (the article draws the same specs at build time). */
function PlotView({ spec, idPrefix }: { spec: PlotSpec; idPrefix: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const svg = Plot.plot({ ...spec, document }) as unknown as Element;
    addTextAlternative(svg, spec, document, idPrefix);
    el.replaceChildren(svg);
    return () => el.replaceChildren();
  }, [spec, idPrefix]);
  return <div class="pb-trainer__plot" ref={ref} />;
}

function progressLine(p: TrainerProgress): string {
  if (p.phase === "starting") return "Starting…";
  if (p.phase === "selecting") return `All ${p.models.toLocaleString("en")} models trained; choosing the winner on fresh draws…`;
  const pct = p.modelStepsTotal ? Math.floor((100 * p.modelStepsDone) / p.modelStepsTotal) : 0;
  const parts = [`${p.modelsDone.toLocaleString("en")} of ${p.models.toLocaleString("en")} models done`, `${p.modelStepsDone.toLocaleString("en")} of ${p.modelStepsTotal.toLocaleString("en")} model-steps (${pct}%)`];
  if (p.rate > 0) parts.push(`${Math.round(p.rate).toLocaleString("en")} model-steps/s`, `about ${formatDuration(p.etaSeconds)} left`);
  return parts.join(" · ");
}

export default function TrainerPanel({ id, committedSrc, commit, experiments }: TrainerPanelProps) {
  const [probe, setProbe] = useState<WebGpuProbe | null>(null);
  const [engine, setEngine] = useState<TrainerEngineName>("cpu");
  const [settings, setSettings] = useState<TrainerSettings>({ kind: "relu-hidden", density: 0.3, seed: 0, ...limitsFor("cpu", false).defaults });
  const [status, setStatus] = useState<Status>({ state: "idle" });
  const [download, setDownload] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  // The article's winners, drawn beside the reader's; a failure to load them only loses the comparison.
  const [committed, setCommitted] = useState<CommittedData | string>({});

  useEffect(() => {
    let live = true;
    fetch(committedSrc)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((json) => live && setCommitted(parseCommittedData(json)))
      .catch((e: Error) => live && setCommitted(`The article's winners could not be loaded for comparison (${e.message}).`));
    probeWebGpu().then((p) => {
      if (!live) return;
      setProbe(p);
      // A hardware adapter trains far faster than the CPU; an emulated one (SwiftShader) far slower.
      if (p.ok && !p.software) chooseEngine("webgpu", p);
    });
    return () => {
      live = false;
      controller.current?.abort();
    };
  }, []);

  useEffect(() => () => void (download && URL.revokeObjectURL(download)), [download]);

  const software = probe?.ok === true && probe.software;
  const limits = limitsFor(engine, software);
  function chooseEngine(e: TrainerEngineName, p = probe) {
    setEngine(e);
    setSettings((s) => ({ ...s, ...limitsFor(e, p?.ok === true && p.software).defaults }));
  }
  const problem = settingsProblem(settings, limits);
  const running = status.state === "running";

  async function train() {
    if (problem || running) return;
    const ctl = new AbortController();
    controller.current = ctl;
    setDownload(null);
    // A hidden tab's timers are slowed to once a second or less and its GPU work may be dropped: a WebGPU
    // run stops with a message instead of hanging. Web Workers keep their pace, so a CPU run goes on.
    const onHidden = () => {
      if (document.visibilityState === "hidden" && engine === "webgpu") ctl.abort(new TrainerStopped("Training stopped because the tab was hidden (a browser slows down a background tab's GPU work)."));
    };
    document.addEventListener("visibilitychange", onHidden);
    setStatus({ state: "running", progress: { phase: "starting", modelsDone: 0, models: settings.models, modelStepsDone: 0, modelStepsTotal: settings.models * settings.steps, rate: NaN, etaSeconds: NaN } });
    try {
      const run = await trainInBrowser(settings, {
        engine, createWorker, wgsl: BUNDLED_WGSL, commit, signal: ctl.signal,
        onProgress: (progress) => setStatus({ state: "running", progress }),
      });
      setDownload(URL.createObjectURL(new Blob([dataFileText(run.data)], { type: "application/json" })));
      setStatus({ state: "done", run });
    } catch (e) {
      const err = e as Error;
      setStatus(err instanceof TrainerStopped ? { state: "stopped", message: err.message } : { state: "failed", message: `Training failed: ${err.message.replace(/\s+/g, " ")}` });
    } finally {
      document.removeEventListener("visibilitychange", onHidden);
      if (controller.current === ctl) controller.current = null;
    }
  }

  const field = (name: keyof TrainerSettings, label: string, attrs: Record<string, string | number>) => (
    <label class="pb-trainer__field">
      <span>{label}</span>
      <input
        type="number" name={name} value={String(settings[name])} disabled={running} {...attrs}
        onInput={(e) => setSettings({ ...settings, [name]: Number((e.currentTarget as HTMLInputElement).value) })}
      />
    </label>
  );

  const engineNote = !probe
    ? "Looking for WebGPU…"
    : !probe.ok
      ? `${probe.reason}: training runs on the CPU, in Web Workers (WebAssembly SIMD), with smaller defaults.`
      : probe.software
        ? `This browser's WebGPU adapter, ${probe.name}, emulates a GPU on the CPU, so the CPU engine (Web Workers, WebAssembly SIMD) is chosen: it is faster.`
        : `WebGPU adapter: ${probe.name}.`;

  return (
    <div class="pb-trainer" id={id}>
      <p class="pb-trainer__engine-note" data-testid="engine-note">{engineNote}</p>
      <form
        class="pb-trainer__form"
        onSubmit={(e) => {
          e.preventDefault();
          void train();
        }}
      >
        <fieldset class="pb-trainer__choice" disabled={running}>
          <legend>Engine</legend>
          <label><input type="radio" name="engine" value="webgpu" checked={engine === "webgpu"} disabled={!probe?.ok} onChange={() => chooseEngine("webgpu")} /> WebGPU (the trainer's WGSL kernels)</label>
          <label><input type="radio" name="engine" value="cpu" checked={engine === "cpu"} onChange={() => chooseEngine("cpu")} /> CPU (the trainer's SIMD kernel)</label>
        </fieldset>
        <fieldset class="pb-trainer__choice" disabled={running}>
          <legend>Model</legend>
          <label><input type="radio" name="kind" value="relu-hidden" checked={settings.kind === "relu-hidden"} onChange={() => setSettings({ ...settings, kind: "relu-hidden" })} /> ReLU hidden layer</label>
          <label><input type="radio" name="kind" value="linear-hidden" checked={settings.kind === "linear-hidden"} onChange={() => setSettings({ ...settings, kind: "linear-hidden" })} /> linear</label>
        </fieldset>
        <div class="pb-trainer__fields">
          {field("density", "Density (0, 1]", { min: 0, max: 1, step: "any" })}
          {field("models", `K, models (≤ ${limits.maxModels.toLocaleString("en")})`, { min: 1, max: limits.maxModels, step: 1 })}
          {field("steps", `Steps (≤ ${MAX_STEPS.toLocaleString("en")})`, { min: 1, max: MAX_STEPS, step: 1 })}
          {field("seed", "Seed", { min: 0, step: 1 })}
        </div>
        <p class="pb-trainer__limit">
          At most {limits.maxModelSteps.toLocaleString("en")} model-steps (K × steps) on this engine; this run: {(settings.models * settings.steps).toLocaleString("en")}.
        </p>
        {problem && <p class="pb-trainer__problem" role="alert">{problem}</p>}
        <div class="pb-trainer__buttons">
          {!running && <button type="submit" disabled={!!problem}>{status.state === "stopped" || status.state === "failed" ? "Retry" : "Train"}</button>}
          {running && <button type="button" onClick={() => controller.current?.abort()}>Cancel</button>}
        </div>
      </form>

      <div class="pb-trainer__status" role="status" aria-live="polite">
        {status.state === "running" && (
          <>
            <progress max={status.progress.modelStepsTotal} value={status.progress.modelStepsDone} />
            <p data-testid="progress">{progressLine(status.progress)}</p>
          </>
        )}
        {status.state === "stopped" && <p data-testid="stopped">{status.message}</p>}
        {status.state === "failed" && <p class="pb-trainer__problem" data-testid="failed">{status.message}</p>}
      </div>

      {status.state === "done" && <Result id={id} run={status.run} committed={committed} download={download} experiment={experiments[status.run.data.model]} />}
    </div>
  );
}

function Result({ id, run, committed, download, experiment }: { id: string; run: TrainerRun; committed: CommittedData | string; download: string | null; experiment?: ExperimentDeclaration }) {
  const { data } = run;
  const level = data.levels[0];
  const r = runResult(data, typeof committed === "string" ? {} : committed);
  const name = `${data.model}.json`;
  return (
    <section class="pb-trainer__result" aria-label="Result" data-testid="result">
      <p>
        Trained {data.config.modelsPerLevel.toLocaleString("en")} model{data.config.modelsPerLevel === 1 ? "" : "s"} × {data.config.steps.toLocaleString("en")} steps at density {formatDensity(level.density)} on {data.run.device} in{" "}
        {formatDuration(data.run.trainSeconds)} ({formatDuration(data.run.selectSeconds ?? 0)} of it choosing the winner). {r.margin}
      </p>
      <div class="pb-trainer__models">
        {r.models.map((m) => (
          <section class="pb-trainer__model" aria-label={m.title} data-testid={`model-${m.key}`}>
            <p class="pb-trainer__model-title">{m.title}</p>
            <p class="pb-trainer__model-sub">
              <span data-testid="regime">{m.summary.regimeLabel}</span> · loss {m.summary.lossText} · {m.summary.modelsText}
            </p>
            <div class="pb-trainer__plots">
              <PlotView spec={m.matrix} idPrefix={`${id}-${m.key}-matrix`} />
              <PlotView spec={m.stack} idPrefix={`${id}-${m.key}-stack`} />
            </div>
          </section>
        ))}
      </div>
      {typeof committed === "string" ? <p>{committed}</p> : r.noCommitted && <p>{r.noCommitted}</p>}
      <div class="pb-trainer__legends">
        {r.legends.map((spec, k) => <PlotView spec={spec} idPrefix={`${id}-legend-${k}`} />)}
      </div>
      <p>
        {download && <a href={download} download={name} data-testid="download">Download the run ({name})</a>}: a data file in the project's schema
        ({data.schema}, without the population file and diagnostics), made in this page; nothing was sent anywhere. Put it in a
        copy of <code>public/data/</code> in place of the article's file and build the site from it with{" "}
        <code>PB_DATA_DIR=that-directory PB_ALLOW_STALE=1 npm run build</code> (it is not the declared experiment, so the page
        says what differs){experiment && <>, or retrain the same models with <code>{reproduceCommand(data, experiment)}</code></>}.
      </p>
    </section>
  );
}
