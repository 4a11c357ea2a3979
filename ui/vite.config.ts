import { defineConfig } from "vite";

// The app is served from the bundle (tauri.conf.json `frontendDist: ../ui/dist`): relative
// asset paths, no inline scripts or styles (the CSP forbids both), no remote content.
export default defineConfig({
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari16",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
