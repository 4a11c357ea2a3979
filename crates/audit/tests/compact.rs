mod common;

use common::*;
use std::time::Duration;
use warden_audit::*;

/// A log made before `NEW_PAGE_SIZE` (SQLite's default 4 KiB pages), with `n` generations of
/// a few kilobytes each.
async fn older_log(dir: &std::path::Path, n: usize) -> (std::path::PathBuf, AuditLog) {
    let path = dir.join("older.sqlite3");
    let log = open_4k_log(&path).await;
    for i in 0..n {
        let prompt = format!(
            "question {i} about wombats {}",
            "and more words ".repeat(150)
        );
        finished(&log, &prompt, &"an answer ".repeat(200)).await;
    }
    (path, log)
}

#[tokio::test]
async fn compacting_after_a_prune_shrinks_the_file_and_keeps_every_row_and_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let (path, log) = older_log(dir.path(), 300).await;
    // Prune all but the newest few (their pages go to SQLite's free list, not the disk). A
    // generation finished in the millisecond of the cut-off stays: hence no exact count.
    let keep_from = now_ms();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let kept = [
        finished(&log, "a wombat question kept", "kept answer").await,
        finished(&log, "another kept one", "kept too").await,
    ];
    let pruned = log.prune(keep_from).await.unwrap();
    assert!(pruned.generations >= 290, "{pruned:?}");
    let anchor = log.head_hash().await.unwrap().unwrap();
    log.close().await;
    drop(log);

    // `close` returns once no connection of the log has the file open. (It once left one
    // of sqlx's open under load, and this compaction failed `Locked` after waiting 30 s: see
    // `AuditLog::close`.) The short wait is for the machine, not for the log.
    let r = compact(&path, Duration::from_secs(2)).unwrap();
    assert_eq!(
        (r.page_size_before, r.page_size_after),
        (4096, NEW_PAGE_SIZE)
    );
    assert!(
        r.bytes_after * 3 < r.bytes_before,
        "{} -> {} bytes",
        r.bytes_before,
        r.bytes_after
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), r.bytes_after);

    // The same log: verifies against the anchor taken before, finds the kept rows by text,
    // and takes new writes on the chain.
    let log = AuditLog::open(&path).await.unwrap();
    let report = log.verify(Some(&anchor)).await.unwrap();
    assert!(report.ok, "{report:?}");
    let found: Vec<GenerationId> = log
        .list(
            &Filter {
                text: Some("wombat".into()),
                ..Filter::default()
            },
            Page::first(50),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(found, vec![kept[0]]);
    assert_eq!(log.show(kept[1]).await.unwrap().answer, "kept too");
    finished(&log, "after compacting", "still chained").await;
    assert!(log.verify(Some(&anchor)).await.unwrap().ok);
}

#[tokio::test]
async fn compacting_a_log_another_connection_has_open_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, log) = older_log(dir.path(), 20).await;
    let before = log.head_hash().await.unwrap();
    let err = compact(&path, Duration::from_millis(200)).unwrap_err();
    assert!(matches!(err, AuditError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("another process"), "{err}");
    // Still a working WAL-mode log with its 4 KiB pages and every row.
    finished(&log, "after the refusal", "fine").await;
    let report = log.verify(None).await.unwrap();
    assert!(report.ok && report.generations == 21, "{report:?}");
    assert_ne!(log.head_hash().await.unwrap(), before);
    assert_eq!(page_size(&path).await, 4096);

    let missing = compact(&dir.path().join("nope.sqlite3"), Duration::from_millis(200));
    assert!(matches!(missing, Err(AuditError::CannotOpen { .. })));
}
