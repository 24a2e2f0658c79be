// Links to the site's own files (data downloads, the explorer's frames) under its base path, so the
// site works when served from a sub-path such as https://<owner>.github.io/<repo>/ (PB_BASE).

/**
 * `path` (relative to the site root, e.g. "data/relu-hidden.json") under `base`, the component's
 * `import.meta.env.BASE_URL`. That is the base as configured: PB_BASE="/repo" gives "/repo", without
 * the trailing slash, so gluing a file name straight onto it gives "/repodata/…".
 */
export function siteUrl(base: string, path: string): string {
  return `${base.replace(/\/*$/, "/")}${path.replace(/^\/+/, "")}`;
}
