// Debian's chromium, driven by playwright-core (never a browser a tool downloads), headless, with the
// flags that keep it off the network this machine does not have.

import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * Launches chromium, or throws saying how to install it when it is missing. `webgpu`: with
 * --enable-unsafe-webgpu, which gives a page served from http://127.0.0.1 (a secure context) a WebGPU
 * adapter on SwiftShader, chromium's CPU implementation of Vulkan, on a machine without a GPU.
 */
export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (sudo apt-get install -y chromium, or run scripts/ensure-system-deps.sh as root)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", ...(options.webgpu ? ["--enable-unsafe-webgpu"] : [])],
  });
}
