// A tiny static file server for the built site (node:http, 127.0.0.1, a random free port), started by
// a test and closed afterwards. Serves index.html for directories, 404 for anything missing or
// outside the root, and records every request so tests can check nothing failed. With `base`, it
// serves the site under that path only, as a static host serves a project site
// (https://<owner>.github.io/<repo>/): a request outside it is a 404, as a link that forgot the base
// path would get there.

import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";

export const MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

export function mimeType(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

export interface StaticServer {
  /** Base URL, e.g. "http://127.0.0.1:41234". */
  url: string;
  /** Every request served: path and status. */
  log: { path: string; status: number }[];
  close(): Promise<void>;
}

export function serveStatic(rootDir: string, options: { base?: string } = {}): Promise<StaticServer> {
  const root = resolve(rootDir);
  const base = (options.base ?? "/").replace(/\/*$/, "/");
  const log: StaticServer["log"] = [];
  const server = createServer((req, res) => {
    const send = (status: number, body: string) => {
      log.push({ path: req.url ?? "", status });
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed");
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad request");
    }
    // The base path without its slash ("/repo") redirects to "/repo/", as on GitHub Pages.
    if (`${pathname}/` === base) {
      log.push({ path: req.url ?? "", status: 301 });
      return res.writeHead(301, { location: base }).end();
    }
    if (!pathname.startsWith(base)) return send(404, "not found (outside the base path)");
    let file = normalize(join(root, pathname.slice(base.length - 1)));
    if (file !== root && !file.startsWith(root + sep)) return send(403, "forbidden");
    let st = statSync(file, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      file = join(file, "index.html");
      st = statSync(file, { throwIfNoEntry: false });
    }
    if (!st?.isFile()) return send(404, "not found");
    log.push({ path: req.url ?? "", status: 200 });
    res.writeHead(200, { "content-type": mimeType(file), "content-length": st.size, "cache-control": "no-store" });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      done({
        url: `http://127.0.0.1:${port}`,
        log,
        close: () =>
          new Promise<void>((closed) => {
            server.closeAllConnections();
            server.close(() => closed());
          }),
      });
    });
  });
}
