mod common;

use common::*;
use sqlx::Executor;
use warden_audit::*;

async fn five_generations(t: &TempLog) -> Vec<GenerationId> {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(finished(&t.log, &format!("prompt {i}"), &format!("answer {i}")).await);
    }
    t.log.flag(ids[3], "bad").await.unwrap();
    ids
}

#[tokio::test]
async fn an_untouched_log_verifies() {
    let t = temp_log().await;
    five_generations(&t).await;
    let report = t.log.verify(None).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.entries, 6);
    assert!(report.first_break.is_none());
}

/// Each case tampers with the database behind the log's back and names the row that
/// verify must report.
#[tokio::test]
async fn tampering_is_detected_and_names_the_row() {
    let cases: &[(&str, &str, BreakKind, &str, i64)] = &[
        (
            "edited_answer",
            "UPDATE generations SET answer = 'something nicer' WHERE id = 3",
            BreakKind::RowAltered,
            "generations",
            3,
        ),
        (
            "deleted_row",
            "DELETE FROM generations WHERE id = 2",
            BreakKind::RowMissing,
            "generations",
            2,
        ),
        (
            "swapped_rows",
            "UPDATE generations SET prompt = CASE id WHEN 2 THEN 'prompt 3' ELSE 'prompt 2' END, \
             answer = CASE id WHEN 2 THEN 'answer 3' ELSE 'answer 2' END WHERE id IN (2, 3)",
            BreakKind::RowAltered,
            "generations",
            2,
        ),
        (
            "edited_guard_event",
            "UPDATE guard_events SET action = 'allow', score = 0.1 WHERE generation_id = 4",
            BreakKind::RowAltered,
            "generations",
            4,
        ),
        (
            "deleted_guard_event",
            "DELETE FROM guard_events WHERE generation_id = 5",
            BreakKind::RowAltered,
            "generations",
            5,
        ),
        (
            "reordered_chain_entries",
            "UPDATE chain SET seq = -1 WHERE seq = 2; UPDATE chain SET seq = 2 WHERE seq = 3; \
             UPDATE chain SET seq = 3 WHERE seq = -1",
            BreakKind::LinkMismatch,
            "generations",
            3,
        ),
        (
            "deleted_chain_entry",
            "DELETE FROM chain WHERE seq = 2",
            BreakKind::EntriesMissing,
            "chain",
            2,
        ),
        (
            "edited_review",
            "UPDATE reviews SET flag_reason = 'fine actually' WHERE id = 1",
            BreakKind::RowAltered,
            "reviews",
            1,
        ),
        (
            "unflagged_by_hand",
            "UPDATE generations SET flagged = 0 WHERE id = 4",
            BreakKind::ReviewCacheMismatch,
            "generations",
            4,
        ),
        (
            "row_inserted_around_the_write_path",
            "INSERT INTO generations (prompt, rendered_prompt_hash, model_name, app_version, \
             status, created_at, finished_at) VALUES ('x', 'h', 'm', 'v', 'completed', 0, 0)",
            BreakKind::Unchained,
            "generations",
            6,
        ),
        (
            "review_inserted_around_the_write_path",
            "INSERT INTO reviews (generation_id, kind, flag_reason, created_at) \
             VALUES (2, 'flag', 'x', 0)",
            BreakKind::Unchained,
            "reviews",
            2,
        ),
        (
            // The walk itself passes (the chain is one entry shorter); the review it
            // covered is now off the chain.
            "newest_chain_entry_deleted",
            "DELETE FROM chain WHERE seq = 6",
            BreakKind::Unchained,
            "reviews",
            1,
        ),
    ];
    for (name, sql, problem, table, row) in cases {
        let t = temp_log().await;
        five_generations(&t).await;
        let mut conn = raw(&t.path).await;
        conn.execute(*sql).await.unwrap();
        drop(conn);
        let report = t.log.verify(None).await.unwrap();
        assert!(!report.ok, "case {name}: tampering went unnoticed");
        let b = report.first_break.as_ref().unwrap();
        assert_eq!(
            (&b.problem, b.table.as_str(), b.row_id),
            (problem, *table, Some(*row)),
            "case {name}: {}",
            b.message
        );
        assert!(
            b.message.contains(&row.to_string()),
            "case {name}: message should name the row: {}",
            b.message
        );
        assert!(matches!(
            report.into_result(),
            Err(AuditError::ChainBroken(_))
        ));
    }
}

#[tokio::test]
async fn an_anchor_from_this_chain_is_found() {
    let t = temp_log().await;
    five_generations(&t).await;
    let anchor = t.log.head_hash().await.unwrap().unwrap();
    finished(&t.log, "later", "more").await;
    let report = t.log.verify(Some(&anchor)).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.anchor.unwrap().seq, Some(6));
}

#[tokio::test]
async fn an_anchor_mismatch_is_detected() {
    // The anchor came from a log whose history differs (as after someone rewrote the
    // whole chain): this log is self-consistent but does not contain it.
    let other = temp_log().await;
    finished(&other.log, "original prompt", "original answer").await;
    let anchor = other.log.head_hash().await.unwrap().unwrap();

    let t = temp_log().await;
    finished(&t.log, "rewritten prompt", "rewritten answer").await;
    let report = t.log.verify(Some(&anchor)).await.unwrap();
    assert!(report.first_break.is_none());
    assert!(!report.ok);
    let a = report.anchor.clone().unwrap();
    assert!(!a.found);
    assert!(a.message.contains("not in the chain"));
    assert!(report.into_result().is_err());
}

#[tokio::test]
async fn deleting_the_newest_row_and_its_entry_is_caught_by_the_anchor() {
    let t = temp_log().await;
    five_generations(&t).await;
    let anchor = t.log.head_hash().await.unwrap().unwrap();
    let mut conn = raw(&t.path).await;
    conn.execute(
        "DELETE FROM reviews WHERE id = 1; DELETE FROM chain WHERE seq = 6; \
                  UPDATE generations SET flagged = 0 WHERE id = 4",
    )
    .await
    .unwrap();
    let report = t.log.verify(None).await.unwrap();
    assert!(report.ok, "without an anchor a truncated tail looks whole");
    let report = t.log.verify(Some(&anchor)).await.unwrap();
    assert!(!report.ok, "the anchor catches the truncation");
}

#[tokio::test]
async fn prune_keeps_verify_passing() {
    let t = temp_log().await;
    let old = five_generations(&t).await;
    // A later review of an old generation keeps that generation (and what follows) alive.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let cutoff = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let new = finished(&t.log, "new prompt", "new answer").await;
    t.log
        .review(
            old[4],
            ReviewInput {
                status: ReviewStatus::Ok,
                note: None,
                corrected_answer: None,
                reviewer: Some("bob".into()),
            },
        )
        .await
        .unwrap();

    let report = t.log.prune(cutoff).await.unwrap();
    // Generations 1-3 go. 4 stays: its flag (entry 6) came after 5, and 5 stays because
    // its review is newer than the cutoff; only a whole prefix of the chain can go.
    assert_eq!(report.generations, 3);
    assert_eq!(report.through_seq, Some(3));
    assert!(matches!(
        t.log.show(old[0]).await,
        Err(AuditError::NotFound { .. })
    ));
    assert!(t.log.show(old[3]).await.is_ok());
    assert!(t.log.show(old[4]).await.is_ok());
    assert!(t.log.show(new).await.is_ok());
    let v = t.log.verify(None).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.pruned_through, Some(3));
    assert_eq!(v.checkpoints, 1);

    // Writing and pruning again keeps it verifying.
    finished(&t.log, "after prune", "x").await;
    let report = t.log.prune(now_ms() + 1).await.unwrap();
    assert_eq!(report.generations, 4);
    let v = t.log.verify(None).await.unwrap();
    assert!(v.ok, "{v:?}");
    finished(&t.log, "after second prune", "y").await;
    assert!(t.log.verify(None).await.unwrap().ok);

    // And pruned history can't be slipped back in silently: deleting the checkpoint entry
    // breaks the link.
    let mut conn = raw(&t.path).await;
    conn.execute("DELETE FROM chain_checkpoints WHERE id = 2")
        .await
        .unwrap();
    assert!(!t.log.verify(None).await.unwrap().ok);
}

#[tokio::test]
async fn two_logs_on_one_file_writing_in_parallel_lose_nothing() {
    let t = temp_log().await;
    let a = AuditLog::open(&t.path).await.unwrap();
    let b = AuditLog::open(&t.path).await.unwrap();
    let write = |log: AuditLog, who: &'static str| {
        tokio::spawn(async move {
            for i in 0..60 {
                let id = finished(&log, &format!("{who} {i}"), "ok").await;
                if i % 10 == 0 {
                    log.flag(id, who).await.unwrap();
                }
            }
        })
    };
    let (ra, rb) = tokio::join!(write(a, "a"), write(b, "b"));
    ra.unwrap();
    rb.unwrap();
    assert_eq!(t.log.count(&Filter::default()).await.unwrap(), 120);
    let report = t.log.verify(None).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.entries, 120 + 12);
}

const CHILD_ENV: &str = "WARDEN_AUDIT_CHILD_DB";

/// Not a test on its own: the body of a writer process spawned by
/// `two_processes_writing_at_once_lose_nothing`. Without the variable it does nothing.
#[tokio::test]
async fn child_writer_process() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let log = AuditLog::open(&path).await.unwrap();
    for i in 0..80 {
        let id = finished(&log, &format!("child {} {i}", std::process::id()), "ok").await;
        if i % 20 == 0 {
            log.flag(id, "child").await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_writing_at_once_lose_nothing() {
    let t = temp_log().await;
    let exe = std::env::current_exe().unwrap();
    let spawn = || {
        std::process::Command::new(&exe)
            .args(["child_writer_process", "--exact", "--test-threads=1"])
            .env(CHILD_ENV, &t.path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut children = [spawn(), spawn()];
    // This process writes too, at the same time.
    for i in 0..40 {
        finished(&t.log, &format!("parent {i}"), "ok").await;
    }
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    assert_eq!(t.log.count(&Filter::default()).await.unwrap(), 200);
    let report = t.log.verify(None).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.generations, 200);
    assert_eq!(report.reviews, 8);
}

/// Chain appends pay for one secondary index only, `(kind, ref_id)`: the old index on the
/// random `hash` column (read by no query) is dropped by a migration, and anchors are still
/// found by the walk (the anchor tests above).
#[tokio::test]
async fn the_chain_has_no_index_on_its_hash() {
    let t = temp_log().await;
    five_generations(&t).await;
    let mut conn = raw(&t.path).await;
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'chain' \
         AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(indexes, ["chain_ref"]);
}

/// Verify reads the chain in chunks of a few thousand entries and hashes several chunks at
/// once on worker threads: over many chunks the count is exact, and with two rows edited
/// far apart the break reported is the first one in chain order.
#[tokio::test]
async fn a_long_chain_is_walked_in_order_across_chunks() {
    let t = temp_log().await;
    bench::fill(&t.log, 15_000, 5_000, 3).await.unwrap();
    let mut calls = Vec::new();
    let report = t
        .log
        .verify_with_progress(None, |done, total| calls.push((done, total)))
        .await
        .unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.generations, 15_000);
    assert_eq!(report.entries, report.generations + report.reviews);
    // Progress: from 0, once per chunk, never backwards, ending at every entry of the chain.
    assert_eq!(calls.first(), Some(&(0, report.entries)));
    assert_eq!(calls.last(), Some(&(report.entries, report.entries)));
    assert!(calls.len() > 5, "{calls:?}");
    assert!(calls
        .windows(2)
        .all(|w| w[0].0 <= w[1].0 && w[1].1 == report.entries));

    let mut conn = raw(&t.path).await;
    conn.execute("UPDATE generations SET answer = 'edited' WHERE id IN (3100, 12000)")
        .await
        .unwrap();
    drop(conn);
    let report = t.log.verify(None).await.unwrap();
    let b = report.first_break.expect("the edits went unnoticed");
    assert_eq!(
        (b.problem, b.table.as_str(), b.row_id),
        (BreakKind::RowAltered, "generations", Some(3100)),
        "{}",
        b.message
    );
}
