//! Shared helpers for the real-model tests.
#![allow(dead_code)]

use std::path::PathBuf;

use warden_engine::{EngineClient, LoadParams, WorkerCommand};

/// The default model, fetched by `scripts/test.sh` (or `warden models fetch-default`).
pub fn model_path() -> PathBuf {
    let p = std::env::var_os("WARDEN_TEST_MODEL").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/gemma-3-270m-q4_k_m.gguf"),
        PathBuf::from,
    );
    assert!(
        p.is_file(),
        "the default model is missing at {}: run `scripts/test.sh` or `warden models fetch-default`",
        p.display()
    );
    p
}

pub fn warden() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_warden"))
}

/// Asserts that a finished `warden` run exited successfully, showing `context` and its
/// stderr when it did not.
pub fn assert_success(out: &std::process::Output, context: &str) {
    assert!(
        out.status.success(),
        "{context}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn client() -> EngineClient {
    EngineClient::new(WorkerCommand::new(warden()))
}

pub fn load_params(path: &std::path::Path) -> LoadParams {
    LoadParams {
        path: path.to_string_lossy().into_owned(),
        n_ctx: 1024,
        n_threads: 2,
        ..LoadParams::default()
    }
}

pub fn loaded_client() -> EngineClient {
    let mut c = client();
    c.load(load_params(&model_path()), |_| {})
        .expect("the default model loads");
    c
}
