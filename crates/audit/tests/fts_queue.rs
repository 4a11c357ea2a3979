//! The full-text index is built behind the write path (migration
//! `20261129000003_deferred_fts`): finalized rows are queued in `fts_pending` and indexed in
//! batches. These tests hold the promises that make that invisible to a user: a search sees
//! every finalized generation, the index never disagrees with the rows, and nothing queued
//! is lost to a crash.
mod common;
use common::*;
use std::time::Duration;
use warden_audit::*;

async fn queued(path: &std::path::Path) -> i64 {
    let mut c = raw(path).await;
    sqlx::query_scalar("SELECT count(*) FROM fts_pending")
        .fetch_one(&mut c)
        .await
        .unwrap()
}

async fn indexed(path: &std::path::Path) -> i64 {
    let mut c = raw(path).await;
    sqlx::query_scalar("SELECT count(*) FROM generations_fts_docsize")
        .fetch_one(&mut c)
        .await
        .unwrap()
}

/// FTS5's own check that the index holds exactly the terms of every row of `generations`
/// (external content: it compares against the table). Only meaningful with nothing queued
/// or running, so callers index the queue first.
async fn index_is_consistent(path: &std::path::Path) {
    assert_eq!(queued(path).await, 0);
    let mut c = raw(path).await;
    sqlx::query(
        "INSERT INTO generations_fts (generations_fts, rank) VALUES ('integrity-check', 1)",
    )
    .execute(&mut c)
    .await
    .unwrap();
    // The check above does not look at the index's row total (record 1 of `_data`, which
    // ranking uses); a 'delete' of a row the index never held decrements it and nothing
    // else. It must equal the rows indexed.
    let averages: Vec<u8> =
        sqlx::query_scalar("SELECT block FROM generations_fts_data WHERE id = 1")
            .fetch_one(&mut c)
            .await
            .unwrap();
    let docs: i64 = sqlx::query_scalar("SELECT count(*) FROM generations_fts_docsize")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(
        sqlite_varint(&averages) as i64,
        docs,
        "the index's row total"
    );
}

/// SQLite's varint (big-endian groups of 7 bits, a 9th byte of 8), as FTS5 stores it.
fn sqlite_varint(bytes: &[u8]) -> u64 {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(9) {
        if i == 8 {
            return (v << 8) | u64::from(b);
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            break;
        }
    }
    v
}

fn text(words: &str) -> Filter {
    Filter {
        text: Some(words.into()),
        ..Filter::default()
    }
}

async fn search(log: &AuditLog, words: &str) -> Vec<GenerationId> {
    log.list(&text(words), Page::first(50))
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect()
}

#[tokio::test]
async fn a_search_finds_a_generation_the_moment_it_is_finished() {
    let t = temp_log().await;
    let id = finished(&t.log, "tell me about quokkas", "small marsupials").await;
    // Finishing queued the row; nothing indexed it yet.
    assert_eq!(queued(&t.path).await, 1);
    assert_eq!(indexed(&t.path).await, 0);
    assert_eq!(search(&t.log, "marsupials").await, vec![id]);
    assert_eq!(queued(&t.path).await, 0);
    assert_eq!(indexed(&t.path).await, 1);
    // Counting, stats and exports with a text filter see it too, from a fresh queue.
    let id2 = finished(&t.log, "more quokkas", "still marsupials").await;
    assert_eq!(t.log.count(&text("quokkas")).await.unwrap(), 2);
    let _ = id2;
    let out = t.dir.path().join("q.jsonl");
    let id3 = finished(&t.log, "quokkas again", "x").await;
    let summary = t
        .log
        .export_to_path(
            &out,
            ExportFormat::Jsonl,
            &text("quokkas"),
            |_, _| {},
            &std::sync::atomic::AtomicBool::new(false),
        )
        .await
        .unwrap();
    assert_eq!(summary.rows, 3);
    let _ = id3;
    index_is_consistent(&t.path).await;
}

#[tokio::test]
async fn the_index_catches_up_on_its_own_after_a_few_hundred_generations() {
    let t = temp_log().await;
    for i in 0..300 {
        finished(&t.log, &format!("prompt {i}"), "answer").await;
    }
    // No search ran: the writes themselves hand the queue to a background indexer once
    // 256 finished generations have piled up.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while queued(&t.path).await >= 256 {
        assert!(
            std::time::Instant::now() < deadline,
            "the queue was never indexed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(indexed(&t.path).await >= 256);
    t.log.index_pending().await.unwrap();
    index_is_consistent(&t.path).await;
}

#[tokio::test]
async fn closing_indexes_the_queue_and_a_crash_keeps_it() {
    let t = temp_log().await;
    let a = finished(&t.log, "first aardvark", "x").await;
    t.log.close().await;
    assert_eq!(queued(&t.path).await, 0);
    assert_eq!(indexed(&t.path).await, 1);

    // A process that dies before indexing leaves its rows queued (the queue entry is
    // written in the finishing transaction); the next writer's search indexes them.
    let log = AuditLog::open(&t.path).await.unwrap();
    let b = finished(&log, "second aardvark", "y").await;
    drop(log); // no close: nothing indexes on the way out
    assert_eq!(queued(&t.path).await, 1);
    let log = AuditLog::open(&t.path).await.unwrap();
    let mut found = search(&log, "aardvark").await;
    found.sort();
    assert_eq!(found, vec![a, b]);
    index_is_consistent(&t.path).await;
}

#[tokio::test]
async fn pruning_and_text_changes_keep_the_index_consistent() {
    let t = temp_log().await;
    finished(&t.log, "old indexed walrus", "x").await;
    assert_eq!(t.log.index_pending().await.unwrap(), 1);
    finished(&t.log, "old queued walrus", "y").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let cutoff = now_ms();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let kept = finished(&t.log, "kept narwhal", "z").await;

    // Text edited behind the API (a repair by hand) while the row is queued: it is indexed
    // with whatever it holds when the indexer reaches it.
    let edit = |prompt: &'static str| {
        let path = t.path.clone();
        async move {
            let mut c = raw(&path).await;
            sqlx::query("UPDATE generations SET prompt = ? WHERE id = ?")
                .bind(prompt)
                .bind(kept.0)
                .execute(&mut c)
                .await
                .unwrap();
        }
    };
    edit("edited orca").await;

    // Pruning deletes one indexed and one queued row: each must leave the right place
    // (telling external-content FTS5 to delete a row it never held corrupts its totals).
    let report = t.log.prune(cutoff).await.unwrap();
    assert_eq!(report.generations, 2);
    t.log.index_pending().await.unwrap();
    index_is_consistent(&t.path).await;
    assert!(search(&t.log, "walrus").await.is_empty());
    assert!(search(&t.log, "narwhal").await.is_empty());
    assert_eq!(search(&t.log, "orca").await, vec![kept]);

    // Edited once indexed: the old terms leave the index and the row is queued again.
    edit("edited beluga").await;
    assert_eq!(queued(&t.path).await, 1);
    assert_eq!(search(&t.log, "beluga").await, vec![kept]);
    assert!(search(&t.log, "orca").await.is_empty());
    index_is_consistent(&t.path).await;
}

#[tokio::test]
async fn a_read_only_log_searches_what_is_indexed_without_failing() {
    let t = temp_log().await;
    let a = finished(&t.log, "indexed ibis", "x").await;
    t.log.index_pending().await.unwrap();
    finished(&t.log, "queued ibis", "y").await;
    drop(t.log);
    let log = AuditLog::open_with(
        &t.path,
        AuditOptions {
            read_only: true,
            ..AuditOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(search(&log, "ibis").await, vec![a]);
    assert_eq!(log.index_pending().await.unwrap_err().code(), "read_only");
}
