// The W explorer (a Preact island, hydrated client:visible by Explorer.astro): a density slider over
// every trained level, the weight matrix and stack plot of that level's best model drawn together,
// a matrix/stack/both toggle, the level's regime and loss, and details of the weight under the
// pointer (or the keyboard cursor). It receives only an id, the URL of the explorer's frames and a
// starting density, and fetches the frames: everything it shows was computed and rendered at build
// time (src/article-components/explorer/explorer-frames.ts), so the browser runs no Plot, d3 or analysis code. Until
// the frames arrive (and with JavaScript off) it shows its children: the static view of one frame.

import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatDensity } from "../../figures/format.ts";
import { EXPLORER_VIEWS, cellDetailRows, clampLevelIndex, densityValueText, levelIndexForDensity, moveSelection, parseExplorerFrames } from "./explorer-data.ts";
import type { ExplorerFrames, ExplorerView } from "./explorer-data.ts";

export interface ExplorerIslandProps {
  /** Unique id prefix for the island's elements. */
  id: string;
  /** URL of the explorer's frames (schema privileged-basis-explorer/1), e.g. `${base}explorer/relu-hidden.json`. */
  src: string;
  /** URL of the data file the frames were computed from, linked for download. */
  dataSrc?: string;
  /** Density selected at first (the nearest trained level). */
  density?: number;
  /** Static fallback, shown until the data is loaded. */
  children?: ComponentChildren;
  /**
   * Colour legends (static HTML from the build: they do not change with the level, and rendering
   * them here would ship more of Plot), shown under the figures in both states.
   */
  legends?: ComponentChildren;
}

interface Cell {
  neuron: number;
  feature: number;
}

export default function ExplorerIsland({ id, src, dataSrc, density, children, legends }: ExplorerIslandProps) {
  const [hydrated, setHydrated] = useState(false);
  const [data, setData] = useState<ExplorerFrames | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Set once the figures of the first level are drawn (tests wait for data-ready).
  const [ready, setReady] = useState(false);

  useEffect(() => {
    setHydrated(true);
    const abort = new AbortController();
    fetch(src, { signal: abort.signal })
      .then((r) => {
        if (!r.ok) throw new Error(`${src}: HTTP ${r.status}`);
        return r.json();
      })
      .then((json) => setData(parseExplorerFrames(json)))
      .catch((e: Error) => {
        if (!abort.signal.aborted) setError(e.message);
      });
    return () => abort.abort();
  }, [src]);

  return (
    <div class="pb-explorer" id={id} data-hydrated={hydrated ? "true" : undefined} data-ready={ready ? "true" : undefined}>
      {data ? (
        <Explorer id={id} data={data} dataSrc={dataSrc} density={density} legends={legends} onDrawn={() => setReady(true)} />
      ) : (
        <>
          {error && (
            <p class="pb-explorer__error" role="alert">
              The interactive explorer could not load its data ({error}); the figures below are the static ones.
            </p>
          )}
          {children}
          {legends && <div class="pb-explorer__legends">{legends}</div>}
        </>
      )}
    </div>
  );
}

interface ExplorerProps {
  id: string;
  data: ExplorerFrames;
  dataSrc?: string;
  density?: number;
  legends?: ComponentChildren;
  onDrawn: () => void;
}

function Explorer({ id, data, dataSrc, density, legends, onDrawn }: ExplorerProps) {
  const [index, setIndex] = useState(() => levelIndexForDensity(data.frames, density));
  const [view, setView] = useState<ExplorerView>("both");
  const [cell, setCell] = useState<Cell | null>(null);
  const matrixRef = useRef<HTMLDivElement>(null);
  const stackRef = useRef<HTMLDivElement>(null);
  const figuresRef = useRef<HTMLDivElement>(null);

  const frame = data.frames[index];
  const summary = frame.summary;
  const detail = cell ? frame.cells[cell.neuron * data.features + cell.feature] : null;

  // Show both figures of the selected level (before paint, so the panel never shows empty). The
  // SVGs come from the build, with every rect tagged with its weight and titled.
  useLayoutEffect(() => {
    if (matrixRef.current) matrixRef.current.innerHTML = frame.matrixSvg;
    if (stackRef.current) stackRef.current.innerHTML = frame.stackSvg;
    figuresRef.current?.setAttribute("data-drawn", String(index));
    onDrawn();
  }, [frame, index]);

  // Highlight the selected weight in both figures.
  useEffect(() => {
    for (const root of [matrixRef.current, stackRef.current]) {
      root?.querySelectorAll(".is-active").forEach((el) => el.classList.remove("is-active"));
      if (!root || !cell) continue;
      root.querySelectorAll(`[data-neuron="${cell.neuron}"][data-feature="${cell.feature}"]`).forEach((el) => el.classList.add("is-active"));
    }
  }, [cell, index, view]);

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
    const moved = moveSelection({ row: Math.max(0, rows.indexOf(current.neuron)), col: current.feature }, e.key, rows.length, data.features);
    if (!moved) return;
    e.preventDefault();
    setCell({ neuron: rows[moved.row], feature: moved.col });
  };

  const sliderId = `${id}-density`;
  const last = data.frames.length - 1;
  return (
    <>
      <div class="pb-explorer__controls">
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
            aria-valuetext={densityValueText(frame.density)}
            onInput={(e) => setIndex(clampLevelIndex(Number((e.currentTarget as HTMLInputElement).value), data.frames.length))}
          />
          <div class="pb-explorer__scale" aria-hidden="true">
            <span>{formatDensity(data.frames[0].density)} (dense)</span>
            <span>{formatDensity(data.frames[last].density)} (sparse)</span>
          </div>
        </div>
        <fieldset class="pb-explorer__views">
          <legend>Show</legend>
          {EXPLORER_VIEWS.map((v) => (
            <label key={v.id}>
              <input type="radio" name={`${id}-view`} value={v.id} checked={view === v.id} onChange={() => setView(v.id)} />
              {v.label}
            </label>
          ))}
        </fieldset>
      </div>

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
          <dt>Models (K = {summary.modelsPerLevel.toLocaleString("en")})</dt>
          <dd>{summary.modelsText}</dd>
        </div>
        <div>
          <dt>Features kept</dt>
          <dd>
            {summary.represented} of {data.features} ({summary.monosemantic} monosemantic, {summary.polysemantic} polysemantic neurons)
          </dd>
        </div>
      </dl>

      <div ref={figuresRef} class="pb-explorer__figures" data-view={view} onPointerMove={onPointer} onPointerDown={onPointer}>
        <figure class="pb-explorer__panel" data-figure="matrix" hidden={view === "stack"}>
          <figcaption>Weight matrix W (rows: neurons, columns: features)</figcaption>
          <div
            ref={matrixRef}
            class="pb-explorer__plot"
            tabIndex={0}
            role="group"
            aria-label="Weight matrix. Arrow keys move between weights; their details are shown below."
            onKeyDown={onMatrixKey}
            onFocus={() => cell ?? setCell({ neuron: frame.order[0], feature: 0 })}
          />
        </figure>
        <figure class="pb-explorer__panel" data-figure="stack" hidden={view === "matrix"}>
          <figcaption>Stack plot of W (one column per neuron)</figcaption>
          <div ref={stackRef} class="pb-explorer__plot" />
        </figure>
      </div>
      {legends && <div class="pb-explorer__legends">{legends}</div>}

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
      {dataSrc && (
        <p class="pb-explorer__source">
          Computed at build time from <a href={dataSrc}>{data.dataFile}</a>.
        </p>
      )}
    </>
  );
}
