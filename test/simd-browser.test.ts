// The SIMD kernel in a browser: src/train/simd/browser-worker.ts bundled (esbuild) as a module Web
// Worker, served from 127.0.0.1 and run in Debian's chromium (playwright-core; never a downloaded
// browser). The models it trains must have the Node CPU engine's bits exactly: the same generated
// WebAssembly (IEEE float32 lanes, no fused multiply-add) and the same float64 AdamW.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../src/model/config.ts";
import { SimdKernel } from "../src/train/simd/simd-kernel.ts";
import type { BrowserTrainReply, BrowserTrainRequest } from "../src/train/simd/browser-worker.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { serveStatic, type StaticServer } from "./helpers/static-server.ts";

const root = new URL("..", import.meta.url).pathname;

let dir = "";
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pb-simd-browser-"));
  await build({ entryPoints: [join(root, "src/train/simd/browser-worker.ts")], bundle: true, format: "esm", platform: "browser", outfile: join(dir, "worker.js"), logLevel: "silent" });
  // The page runs one request in a fresh worker and resolves with every message it answered.
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>simd worker</title><link rel="icon" href="data:,"><script>
      window.train = (request) => new Promise((resolve, reject) => {
        const worker = new Worker("./worker.js", { type: "module" });
        const replies = [];
        worker.onerror = (e) => reject(new Error(e.message));
        worker.onmessage = ({ data }) => {
          replies.push(data.type === "model" ? { ...data, params: Array.from(data.params) } : data);
          if (data.type === "done" || data.type === "error") { worker.terminate(); resolve(replies); }
        };
        worker.postMessage(request);
      });
    </script>`,
  );
  server = await serveStatic(dir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Reply = BrowserTrainReply extends infer R ? (R extends { type: "model" } ? Omit<R, "params"> & { params: number[] } : R) : never;

describe("SIMD kernel in a Web Worker (chromium)", () => {
  it("trains models with the Node CPU engine's bits, reporting progress, and no console errors", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    const config = defaultConfig({ batchSize: 64, steps: 300, evalSamples: 4096 });
    for (const kind of ["relu-hidden", "linear-hidden"] as const) {
      // A dense density (dense variant) and sparse ones (sparse variant; at 0.01 most groups are empty).
      const request: BrowserTrainRequest = { kind, config, jobs: [{ density: 1, model: 0 }, { density: 0.1, model: 3 }, { density: 0.01, model: 1 }] };
      const replies = (await page.evaluate((r) => (window as unknown as { train(r: unknown): Promise<unknown> }).train(r), request)) as Reply[];
      expect(replies.at(-1)).toEqual({ type: "done" });
      const models = replies.filter((r) => r.type === "model");
      expect(models).toHaveLength(3);
      const node = new SimdKernel(kind, config);
      for (const [job, { density, model }] of request.jobs.entries()) {
        const got = models[job] as Extract<Reply, { type: "model" }>;
        expect(got).toMatchObject({ job, density, model });
        const want = node.train(density, model).params;
        expect(got.params, `${kind} density ${density}`).toEqual(Array.from(want));
        expect(got.evalLoss).toBe(node.evalLoss(density, want));
        // Progress every 250 steps and at the end.
        expect(replies.filter((r) => r.type === "progress" && r.job === job).map((r) => (r as { stepsDone: number }).stepsDone)).toEqual([250, 300]);
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("answers a bad request with an error message, not a hang", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    const bad = { kind: "relu-hidden", config: defaultConfig({ neurons: 0 }), jobs: [{ density: 0.5, model: 0 }] };
    const replies = (await page.evaluate((r) => (window as unknown as { train(r: unknown): Promise<unknown> }).train(r), bad)) as Reply[];
    expect(replies).toEqual([{ type: "error", message: "simdModule: bad shape 0×10" }]);
    await page.close();
  });
});
