//! `warden-desktop`: the Warden desktop app.
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // The engine worker is this same executable re-invoked with a hidden subcommand: handle it
    // before anything else (no window, no Tauri), exactly like the `warden` CLI does.
    if std::env::args().nth(1).as_deref() == Some(warden_engine::WORKER_SUBCOMMAND) {
        std::process::exit(warden_engine::worker::run());
    }
    if let Err(e) = warden_desktop::run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
