// Every app command, in one list: `build.rs` declares it to Tauri's ACL (so each command needs
// an `allow-<command>` permission), and `lib.rs` tests it against the registered handlers and
// `capabilities/default.json`. Included by both with `include!`, so it holds only the const.
const COMMAND_NAMES: &[&str] = &[
    "app_info",
    "load_model",
    "list_models",
    "import_model",
    "effective_settings",
    "save_settings",
    "send_message",
    "cancel",
    "new_thread",
    "list_threads",
    "open_thread",
    "audit_list",
    "audit_show",
    "audit_flag",
    "audit_review",
    "audit_stats",
    "audit_verify",
    "export",
    "cancel_export",
];
