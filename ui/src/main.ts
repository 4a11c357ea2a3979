// Boots the UI: the screens, the model status (one load path for all), keyboard routing.

import { ChatScreen } from "./chat";
import { DashboardScreen } from "./dashboard";
import { ExportScreen } from "./export";
import { ModelsScreen } from "./models";
import { ReviewScreen } from "./review";
import { SettingsScreen } from "./settings";
import { api, asApiError, onLoadProgress, type ApiError, type AppInfo, type LoadOptions, type ModelInfo } from "./ipc";

type Screen = { el: HTMLElement; show(): Promise<void>; onKey?(e: KeyboardEvent): void };

export async function boot(): Promise<void> {
  const app = document.getElementById("app")!;
  const status = document.getElementById("model-status")!;
  const bar = document.getElementById("model-progress") as HTMLProgressElement;
  let info: AppInfo | null = null;
  const dataDir = () => (info ? info.db_path.replace(/\/[^/]*$/, "") : "");

  /**
   * Loads a model (default: the configured one) with the status line and progress bar.
   * `onError` also gets the reason when it fails. Options the core refuses unload nothing,
   * so the status line goes back to the model still loaded.
   */
  async function load(path?: string, options?: LoadOptions, onError?: (e: ApiError) => void): Promise<ModelInfo | null> {
    const before = { text: status.textContent, className: status.className, loaded: status.dataset.loaded };
    status.textContent = "loading model…";
    status.className = "model-status";
    delete status.dataset.loaded;
    bar.value = 0;
    bar.hidden = false;
    const unlisten = await onLoadProgress((f) => {
      bar.value = f;
    });
    try {
      const m = await api.loadModel(path, options);
      status.textContent = `${m.file_name} · ${m.architecture ?? "?"} · ${m.quantization ?? ""}`;
      status.dataset.loaded = "true";
      chat.setModel(m.file_name);
      return m;
    } catch (e) {
      const err = asApiError(e);
      if (err.code === "load_options_invalid" && before.loaded) {
        status.textContent = before.text;
        status.className = before.className;
        status.dataset.loaded = before.loaded;
      } else {
        status.textContent = `${err.message}`;
        status.className = "model-status error";
      }
      onError?.(err);
      return null;
    } finally {
      bar.hidden = true;
      unlisten();
    }
  }

  const chat = new ChatScreen((path) => load(path));
  const screens: Record<string, Screen> = {
    chat,
    review: new ReviewScreen(),
    export: new ExportScreen(dataDir),
    models: new ModelsScreen((path, options, onError) => load(path, options, onError)),
    dashboard: new DashboardScreen(),
    settings: new SettingsScreen(),
  };
  let current = "chat";
  for (const s of Object.values(screens)) app.appendChild(s.el);
  const nav = document.getElementById("nav")!;
  nav.addEventListener("click", (e) => {
    const name = (e.target as HTMLElement).dataset.screen;
    if (!name || !screens[name]) return;
    current = name;
    for (const [n, s] of Object.entries(screens)) s.el.hidden = n !== name;
    nav.querySelectorAll("button").forEach((b) =>
      b.dataset.screen === name ? b.setAttribute("aria-current", "page") : b.removeAttribute("aria-current"),
    );
    void screens[name].show();
  });
  document.addEventListener("keydown", (e) => screens[current].onKey?.(e));

  try {
    info = await api.appInfo();
  } catch (e) {
    status.textContent = asApiError(e).message;
  }
  await screens.chat.show();
  document.body.dataset.ready = "true";
  document.body.dataset.interactiveMs = String(Math.round(performance.now()));

  if (!info) return;
  if (info.startup_error) {
    status.textContent = info.startup_error.message;
    status.className = "model-status error";
    return;
  }
  void api.effectiveSettings().then(
    (s) => chat.setDefaultLanguage(s.language),
    () => undefined,
  );
  if (info.model) {
    status.textContent = info.model.file_name;
    chat.setModel(info.model.file_name);
    return;
  }
  await load();
}

void boot().catch((e: unknown) => {
  // A window that cannot start says why instead of staying blank.
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  document.body.dataset.bootError = message;
  const status = document.getElementById("model-status");
  if (status) {
    status.textContent = `The window could not start: ${message}`;
    status.className = "model-status error";
  }
});
