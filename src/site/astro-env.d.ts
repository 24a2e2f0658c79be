/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** Figure and equation numbers of the page (src/site/numbering.ts), set by src/pages/index.astro. */
    numbering?: import("./numbering.ts").Numbering;
  }
}

// Astro components imported from TypeScript (src/article-components/index.ts): tsc sees only that they
// are components; Astro's compiler checks their props.
declare module "*.astro" {
  const Component: (props: Record<string, unknown>) => unknown;
  export default Component;
}
