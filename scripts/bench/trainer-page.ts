// A bare page around the in-page trainer (src/trainer/run.ts), for its chromium test and its benchmark:
// esbuild bundles the trainer with the WGSL files as strings (what Vite's `?raw` does in the site, here
// an esbuild plugin) and the SIMD kernel's Web Worker, and the page exposes
// `window.pb.train(settings, engine, options)`, which resolves with the run (every model's weights and
// losses, the data file) and the progress reports, or with the error's name and message.

import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, type Plugin } from "esbuild";

const root = new URL("../..", import.meta.url).pathname;

/** Vite's `?raw` import (the file's text as a string), for esbuild. */
const rawPlugin: Plugin = {
  name: "raw",
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: resolve(a.resolveDir, a.path.replace(/\?raw$/, "")), namespace: "raw" }));
    b.onLoad({ filter: /.*/, namespace: "raw" }, (a) => ({ contents: readFileSync(a.path, "utf8"), loader: "text" }));
  },
};

/** Writes index.html, entry.js and worker.js into `dir` (serve it from 127.0.0.1 for WebGPU). */
export async function buildTrainerPage(dir: string): Promise<void> {
  await build({ entryPoints: [join(root, "src/train/simd/browser-worker.ts")], bundle: true, format: "esm", platform: "browser", outfile: join(dir, "worker.js"), logLevel: "silent" });
  writeFileSync(
    join(dir, "entry.ts"),
    `import { trainInBrowser, probeWebGpu } from ${JSON.stringify(join(root, "src/trainer/run.ts"))};
     import { BUNDLED_WGSL } from ${JSON.stringify(join(root, "src/train/webgpu/wgsl-bundled.ts"))};
     let controller: AbortController;
     const pb = {
       probe: () => probeWebGpu(),
       progress: [] as { at: number }[],
       // options: workers, the WebGPU kernel and workgroup size, and cancelAfterSteps (abort once a report
       // reaches that many model-steps).
       async train(settings: any, engine: "webgpu" | "cpu", options: { workers?: number; kernel?: "private" | "workgroup"; workgroupSize?: number; cancelAfterSteps?: number } = {}) {
         controller = new AbortController();
         pb.progress = [];
         try {
           const run = await trainInBrowser(settings, {
             engine, wgsl: BUNDLED_WGSL, commit: "test", workers: options.workers ?? 2, signal: controller.signal,
             kernel: options.kernel, workgroupSize: options.workgroupSize,
             createWorker: () => new Worker("./worker.js", { type: "module" }),
             onProgress: (p) => {
               pb.progress.push({ ...p, at: performance.now() });
               if (options.cancelAfterSteps !== undefined && p.modelStepsDone >= options.cancelAfterSteps) controller.abort();
             },
           });
           return { data: run.data, params: run.params.map((p) => Array.from(p)), evalLosses: Array.from(run.evalLosses) };
         } catch (e) {
           return { error: (e as Error).name + ": " + (e as Error).message };
         }
       },
     };
     (window as any).pb = pb;`,
  );
  await build({ entryPoints: [join(dir, "entry.ts")], bundle: true, format: "esm", platform: "browser", outfile: join(dir, "entry.js"), logLevel: "silent", plugins: [rawPlugin] });
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><title>trainer</title><link rel="icon" href="data:,"><script type="module" src="./entry.js"></script>`);
}
