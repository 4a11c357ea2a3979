//! Declares the app's commands, so each one needs an explicit `allow-<command>` permission in
//! `capabilities/` (without a manifest Tauri allows every app command to every window).

include!("src/command_names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/command_names.rs");
    // The app embeds the built UI: a UI-only change must rebuild it, or the app runs the old
    // bundle (cargo scans a directory named here recursively).
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("tauri-build failed");
}
