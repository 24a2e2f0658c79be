// The W explorer: one Preact view, rendered to HTML at build time (what readers without JavaScript
// see: the starting density's figures and numbers) and hydrated in the browser (client:visible), where
// it fetches the frames of every density and adds the slider, the linear/ReLU switch, the
// matrix/stack/both toggle and the details of the weight under the pointer (or keyboard cursor). The
// state (model, density, view) is kept in the page's URL once the reader changes it, so a view can be
// linked (?density=0.12&view=stack). Everything it shows was computed and rendered at build time
// (explorer-frames.ts): the browser runs no Plot, d3 or analysis code.

import { useEffect, useRef, useState } from "preact/hooks";
import { formatDensity } from "../../figures/format.ts";
import {
  EXPLORER_VIEWS,
  cellDetailRows,
  clampLevelIndex,
  densityValueText,
  levelIndexForDensity,
  moveSelection,
  parseExplorerFrames,
  readUrlState,
  writeUrlState,
} from "./explorer-data.ts";
import type { ExplorerFrame, ExplorerFrames, ExplorerView } from "./explorer-data.ts";

/** One data file the explorer can show. */
export interface ExplorerSource {
  model: string;
  /** "ReLU hidden layer", … */
  label: string;
  /** URL of its frames file (schema privileged-basis-explorer/1). */
  src: string;
  /** URL of the data file, linked for download. */
  dataSrc: string;
  dataFile: string;
  /** Its trained densities, densest first (the slider's stops before the frames arrive). */
  densities: number[];
}

/** What the server renders: one frame of one source (its `cells` may be empty: the weights' details
 *  come with the fetched frames), with what it needs to be drawn. */
export interface ExplorerInitial {
  model: string;
  index: number;
  frame: ExplorerFrame;
  legendSvg: string;
  features: number;
  modelsPerLevel: number;
}

export interface ExplorerIslandProps {
  /** Unique id prefix for the explorer's elements. */
  id: string;
  /** The data files it can switch between; the first is the default. */
  sources: ExplorerSource[];
  initial: ExplorerInitial;
}

interface Cell {
  neuron: number;
  feature: number;
}

export default function ExplorerIsland({ id, sources, initial }: ExplorerIslandProps) {
  const [hydrated, setHydrated] = useState(false);
  const [loaded, setLoaded] = useState<Record<string, ExplorerFrames>>({});
  const [error, setError] = useState<string | null>(null);
  const [model, setModel] = useState(initial.model);
  const [index, setIndex] = useState(initial.index);
  const [view, setView] = useState<ExplorerView>("both");
  const [cell, setCell] = useState<Cell | null>(null);
  // Set once the reader changes something: only then is the state written into the URL.
  const [touched, setTouched] = useState(false);
  const figuresRef = useRef<HTMLDivElement>(null);

  const source = sources.find((s) => s.model === model) ?? sources[0];
  const frames = loaded[model];
  const frame = frames?.frames[index] ?? initial.frame;
  const legendSvg = frames?.legendSvg ?? initial.legendSvg;
  const features = frames?.features ?? initial.features;
  const modelsPerLevel = frames?.modelsPerLevel ?? initial.modelsPerLevel;
  const summary = frame.summary;
  const detail = cell ? (frame.cells[cell.neuron * features + cell.feature] ?? null) : null;

  /** The frames of `m`, fetched once. */
  const load = (m: string): Promise<ExplorerFrames> => {
    if (loaded[m]) return Promise.resolve(loaded[m]);
    const src = sources.find((s) => s.model === m)!.src;
    return fetch(src)
      .then((r) => {
        if (!r.ok) throw new Error(`${src}: HTTP ${r.status}`);
        return r.json();
      })
      .then((json) => {
        const parsed = parseExplorerFrames(json);
        setLoaded((prev) => ({ ...prev, [m]: parsed }));
        return parsed;
      });
  };

  /** Shows model `m` at the trained density nearest `density`. */
  const show = (m: string, density: number) =>
    load(m).then((f) => {
      setModel(m);
      setIndex(levelIndexForDensity(f.frames, density));
      setCell(null);
    });

  // After hydration: the state in the URL, if any, then the frames.
  useEffect(() => {
    setHydrated(true);
    const url = readUrlState(location.search, sources.map((s) => s.model));
    if (url.view) setView(url.view);
    show(url.model ?? initial.model, url.density ?? initial.frame.density).catch((e: Error) => setError(e.message));
  }, []);

  // The state into the URL (replacing the history entry: moving the slider is not navigation).
  useEffect(() => {
    if (!touched) return;
    const search = writeUrlState(location.search, { model, density: frame.density, view }, sources[0].model);
    history.replaceState(history.state, "", `${location.pathname}${search}${location.hash}`);
  }, [touched, model, index, view]);

  // Highlight the selected weight in both figures (their markup is replaced when the frame changes).
  useEffect(() => {
    const root = figuresRef.current;
    root?.setAttribute("data-drawn", `${model}:${index}`);
    root?.querySelectorAll(".is-active").forEach((el) => el.classList.remove("is-active"));
    if (root && cell) root.querySelectorAll(`[data-neuron="${cell.neuron}"][data-feature="${cell.feature}"]`).forEach((el) => el.classList.add("is-active"));
  }, [cell, frame, view]);

  const onPointer = (e: PointerEvent) => {
    const el = (e.target as Element | null)?.closest?.("[data-feature]");
    if (!el) return;
    const next = { neuron: Number(el.getAttribute("data-neuron")), feature: Number(el.getAttribute("data-feature")) };
    if (!cell || cell.neuron !== next.neuron || cell.feature !== next.feature) setCell(next);
  };

  // Arrow keys move a cursor over the matrix (rows in display order, as drawn).
  const onMatrixKey = (e: KeyboardEvent) => {
    const rows = frame.order;
    const current = cell ?? { neuron: rows[0], feature: 0 };
    const moved = moveSelection({ row: Math.max(0, rows.indexOf(current.neuron)), col: current.feature }, e.key, rows.length, features);
    if (!moved) return;
    e.preventDefault();
    setCell({ neuron: rows[moved.row], feature: moved.col });
  };

  const ready = Boolean(frames);
  const sliderId = `${id}-density`;
  const stops = frames?.frames.map((f) => f.density) ?? source.densities;
  const last = stops.length - 1;
  return (
    <div class="pb-explorer" id={id} data-hydrated={hydrated ? "true" : undefined} data-ready={ready ? "true" : undefined}>
      {error && (
        <p class="pb-explorer__error" role="alert">
          The interactive explorer could not load its data ({error}); the figures below show one density.
        </p>
      )}
      {!ready && !error && (
        <p class="pb-explorer__note">
          {hydrated ? "Loading every density…" : `A static view of one density. With JavaScript, the slider steps through all ${stops.length} trained densities.`}
        </p>
      )}
      <div class="pb-explorer__controls">
        {sources.length > 1 && (
          <fieldset class="pb-explorer__models">
            <legend>Hidden layer</legend>
            {sources.map((s) => (
              <label key={s.model}>
                <input
                  type="radio"
                  name={`${id}-model`}
                  value={s.model}
                  checked={model === s.model}
                  disabled={!hydrated}
                  onChange={() => {
                    setTouched(true);
                    show(s.model, frame.density).catch((e: Error) => setError(e.message));
                  }}
                />
                {s.label}
              </label>
            ))}
          </fieldset>
        )}
        <div class="pb-explorer__slider">
          <label for={sliderId}>
            Feature density 1 − S: <output for={sliderId} class="pb-explorer__density">{summary.densityText}</output>
          </label>
          <input
            type="range"
            id={sliderId}
            min={0}
            max={last}
            step={1}
            value={index}
            disabled={!ready}
            aria-valuetext={densityValueText(frame.density)}
            onInput={(e) => {
              setTouched(true);
              setIndex(clampLevelIndex(Number((e.currentTarget as HTMLInputElement).value), stops.length));
            }}
          />
          <div class="pb-explorer__scale" aria-hidden="true">
            <span>{formatDensity(stops[0])} (dense)</span>
            <span>{formatDensity(stops[last])} (sparse)</span>
          </div>
        </div>
        <fieldset class="pb-explorer__views">
          <legend>Show</legend>
          {EXPLORER_VIEWS.map((v) => (
            <label key={v.id}>
              <input
                type="radio"
                name={`${id}-view`}
                value={v.id}
                checked={view === v.id}
                disabled={!hydrated}
                onChange={() => {
                  setTouched(true);
                  setView(v.id);
                }}
              />
              {v.label}
            </label>
          ))}
        </fieldset>
      </div>

      <div ref={figuresRef} class="pb-explorer__figures" data-view={view} onPointerMove={onPointer} onPointerDown={onPointer}>
        <figure class="pb-explorer__panel" data-figure="matrix" hidden={view === "stack"}>
          <figcaption>Weight matrix W (rows: neurons, columns: features)</figcaption>
          <div
            class="pb-explorer__plot"
            tabIndex={0}
            role="group"
            aria-label="Weight matrix. Arrow keys move between weights; their details are shown below."
            onKeyDown={onMatrixKey}
            onFocus={() => cell ?? setCell({ neuron: frame.order[0], feature: 0 })}
            dangerouslySetInnerHTML={{ __html: frame.matrixSvg }}
          />
        </figure>
        <figure class="pb-explorer__panel" data-figure="stack" hidden={view === "matrix"}>
          <figcaption>Stack plot of W (one column per neuron)</figcaption>
          <div class="pb-explorer__plot" dangerouslySetInnerHTML={{ __html: frame.stackSvg }} />
        </figure>
      </div>
      <div class="pb-explorer__legends" dangerouslySetInnerHTML={{ __html: legendSvg }} />

      <dl class="pb-explorer__stats">
        <div>
          <dt>Regime</dt>
          <dd class="pb-explorer__regime" title={summary.regimeReason}>
            {summary.regimeLabel}
          </dd>
        </div>
        <div>
          <dt>Best held-out loss</dt>
          <dd class="pb-explorer__loss">{summary.lossText}</dd>
        </div>
        <div>
          <dt>Models (K = {modelsPerLevel.toLocaleString("en")})</dt>
          <dd>{summary.modelsText}</dd>
        </div>
        {summary.privileged && (
          <div>
            <dt>Features kept</dt>
            <dd>
              {summary.represented} of {features} ({summary.monosemantic} monosemantic, {summary.polysemantic} polysemantic neurons)
            </dd>
          </div>
        )}
      </dl>

      <div class="pb-explorer__details" aria-live="polite" data-details={detail ? "cell" : "none"}>
        {detail ? (
          <dl>
            {cellDetailRows(detail).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p>Point at a cell of the matrix or a bar of the stack plot (or focus the matrix and use the arrow keys) to see its weight and the feature’s superposition.</p>
        )}
      </div>
      <p class="pb-explorer__source">
        Computed at build time from <a href={source.dataSrc}>{source.dataFile}</a>.
      </p>
    </div>
  );
}
