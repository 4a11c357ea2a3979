//! Fixtures shared by the integration tests: real SQLite files in temp folders.
#![allow(dead_code)]

use serde_json::json;
use std::path::PathBuf;
use warden_audit::*;

pub struct TempLog {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub log: AuditLog,
}

pub async fn temp_log() -> TempLog {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let log = AuditLog::open(&path).await.unwrap();
    TempLog { dir, path, log }
}

pub fn new_generation(prompt: &str) -> NewGeneration {
    NewGeneration {
        conversation_id: None,
        turn_index: 0,
        prompt: prompt.to_owned(),
        rendered_prompt_hash: "ab".repeat(32),
        model_name: "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf".to_owned(),
        model_sha256: Some("cd".repeat(32)),
        model_meta: json!({"architecture": "qwen2", "context_length": 4096}),
        settings: json!({"temperature": 0.6, "top_p": 0.95, "seed": 42}),
        app_version: "0.1.0-test".to_owned(),
    }
}

pub fn event(stage: Stage, category: &str, action: Action) -> NewGuardEvent {
    NewGuardEvent {
        stage,
        scanner: "rules".to_owned(),
        category: category.to_owned(),
        score: 0.875,
        action,
        spans: vec![(0, 4), (10, 12)],
        policy_version: "policy-1".to_owned(),
    }
}

/// One finalized generation with one guard event.
pub async fn finished(log: &AuditLog, prompt: &str, answer: &str) -> GenerationId {
    let id = log.begin_generation(new_generation(prompt)).await.unwrap();
    log.record_guard_event(id, event(Stage::Input, "benign", Action::Allow))
        .await
        .unwrap();
    let mut finish = Finish::new(Status::Completed, "thinking about it", answer);
    finish.stop_reason = Some("eog".to_owned());
    finish.prompt_tokens = Some(12);
    finish.completion_tokens = Some(34);
    finish.ttft_ms = Some(123.5);
    finish.prompt_tps = Some(456.25);
    finish.gen_tps = Some(31.0);
    log.finish_generation(id, finish).await.unwrap();
    id
}

/// A separate raw connection to the same file, for tampering and lock tests.
pub async fn raw(path: &std::path::Path) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(true);
    sqlx::SqliteConnection::connect_with(&opts).await.unwrap()
}

/// Opens a new log at `path` created with SQLite's default 4 KiB pages, as every log made
/// before `NEW_PAGE_SIZE` was.
pub async fn open_4k_log(path: &std::path::Path) -> AuditLog {
    use sqlx::Executor;
    std::fs::File::create(path).unwrap();
    let mut old = raw(path).await;
    old.execute("PRAGMA page_size = 4096").await.unwrap();
    old.execute("PRAGMA journal_mode = WAL").await.unwrap();
    old.execute("CREATE TABLE before_warden (x)").await.unwrap();
    // Closed, not dropped: a dropped connection closes on its worker thread some time later,
    // and a test that compacts the file needs every connection gone.
    sqlx::Connection::close(old).await.unwrap();
    AuditLog::open(path).await.unwrap()
}

/// The page size of the database at `path`.
pub async fn page_size(path: &std::path::Path) -> i64 {
    let mut c = raw(path).await;
    sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut c)
        .await
        .unwrap()
}
