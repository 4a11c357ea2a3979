//! Warden's desktop shell: Tauri v2 commands over `warden-core`, and nothing else.
//!
//! Each command is a few lines: take the state, call the core on a blocking thread, map the
//! error to `{ code, message }` ([`error::ApiError`]). Token streams and export progress go
//! over `tauri::ipc::Channel`s (ordered, fast); app-wide changes (model load progress, model
//! loaded) are events. The IPC surface is locked: every command is declared in `build.rs`
//! (from `src/command_names.rs`) and granted one by one in `capabilities/default.json`; the
//! tests below keep the three lists equal. Safety lives in the core, never in the UI.

pub mod chat;
pub mod error;
pub mod export;
pub mod model;
pub mod review;
pub mod settings;
pub mod state;

pub use state::AppState;

/// Registers the handlers and records their names, from one list.
macro_rules! commands {
    ($($module:ident :: $name:ident),* $(,)?) => {
        /// The registered commands' names.
        pub const REGISTERED: &[&str] = &[$(stringify!($name)),*];

        fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }
    };
}

commands![
    model::app_info,
    model::load_model,
    model::list_models,
    model::import_model,
    settings::effective_settings,
    settings::save_settings,
    chat::send_message,
    chat::cancel,
    chat::new_thread,
    chat::list_threads,
    chat::open_thread,
    review::audit_list,
    review::audit_show,
    review::audit_flag,
    review::audit_review,
    review::audit_stats,
    review::audit_verify,
    export::export,
    export::cancel_export,
];

/// How long the app waits, with no command and no turn running, before it gives back the
/// clean pages it is not using (see `warden_core::memory`).
const IDLE_RELEASE: std::time::Duration = std::time::Duration::from_secs(20);

/// Opens the window and runs until it closes.
pub fn run() -> anyhow::Result<()> {
    use anyhow::Context;
    use std::sync::{Arc, OnceLock};
    use tauri::Manager;
    let app: Arc<OnceLock<tauri::AppHandle>> = Arc::default();
    let busy_app = Arc::clone(&app);
    let idle = warden_core::memory::IdleRelease::spawn(
        IDLE_RELEASE,
        move || busy_app.get().is_some_and(|a| a.state::<AppState>().busy()),
        release_idle_pages,
    );
    let handler = handler();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::init())
        .setup(move |a| {
            let _ = app.set(a.handle().clone());
            Ok(())
        })
        .invoke_handler(move |invoke| {
            idle.touch();
            handler(invoke)
        })
        .run(tauri::generate_context!())
        .context("running the desktop app")
}

fn release_idle_pages() {
    match warden_core::memory::release_clean_file_pages() {
        Ok(r) => eprintln!("warden: idle; {r}"),
        Err(e) => eprintln!("warden: idle; could not read this process's mappings: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    include!("command_names.rs");

    fn capability() -> serde_json::Value {
        serde_json::from_str(include_str!("../capabilities/default.json")).unwrap()
    }

    fn granted() -> Vec<String> {
        capability()["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().expect("plain permission identifiers").to_owned())
            .collect()
    }

    fn permission(command: &str) -> String {
        format!("allow-{}", command.replace('_', "-"))
    }

    #[test]
    fn every_registered_handler_is_declared_in_the_manifest_and_vice_versa() {
        let registered: BTreeSet<&str> = super::REGISTERED.iter().copied().collect();
        let declared: BTreeSet<&str> = COMMAND_NAMES.iter().copied().collect();
        assert_eq!(registered, declared);
        assert_eq!(
            registered.len(),
            super::REGISTERED.len(),
            "a handler is listed twice"
        );
    }

    #[test]
    fn every_registered_handler_is_granted_and_every_app_grant_has_a_handler() {
        let wanted: BTreeSet<String> = super::REGISTERED.iter().map(|c| permission(c)).collect();
        let app_grants: BTreeSet<String> =
            granted().into_iter().filter(|p| !p.contains(':')).collect();
        let missing: Vec<_> = wanted.difference(&app_grants).collect();
        let stale: Vec<_> = app_grants.difference(&wanted).collect();
        assert!(
            missing.is_empty(),
            "handlers without a permission: {missing:?}"
        );
        assert!(stale.is_empty(), "permissions without a handler: {stale:?}");
    }

    #[test]
    fn the_capability_grants_only_event_listening_from_the_core() {
        let core: Vec<String> = granted()
            .into_iter()
            .filter(|p| p.starts_with("core:"))
            .collect();
        assert_eq!(
            core,
            ["core:event:allow-listen", "core:event:allow-unlisten"]
        );
        // Of the plugins, only the dialog's open and save (file pickers; no file access).
        let plugins: Vec<String> = granted()
            .into_iter()
            .filter(|p| p.contains(':') && !p.starts_with("core:"))
            .collect();
        assert_eq!(plugins, ["dialog:allow-open", "dialog:allow-save"]);
        assert_eq!(capability()["windows"], serde_json::json!(["main"]));
    }

    #[test]
    fn the_content_security_policy_is_strict() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = conf["app"]["security"]["csp"].as_object().unwrap().clone();
        for (directive, value) in &csp {
            // The IPC bridge's own origin is the one URL allowed anywhere.
            let value = value.as_str().unwrap().replace("http://ipc.localhost", "");
            for banned in [
                "unsafe-eval",
                "unsafe-inline",
                "http:",
                "https:",
                "data:",
                "*",
            ] {
                assert!(!value.contains(banned), "{banned} in {directive}: {value}");
            }
        }
        assert_eq!(csp["script-src"], "'self'");
        assert_eq!(csp["default-src"], "'self'");
    }
}
