mod common;

use common::*;
use std::sync::atomic::AtomicBool;
use warden_audit::*;

/// Four generations with different guard events, models, flags and reviews.
async fn review_fixture(log: &AuditLog) -> Vec<GenerationId> {
    let mut ids = Vec::new();
    // 1: plain, reviewed ok.
    ids.push(
        finished(
            log,
            "How do plants make food?",
            "Photosynthesis, using light.",
        )
        .await,
    );
    log.review(
        ids[0],
        ReviewInput {
            status: ReviewStatus::Ok,
            note: None,
            corrected_answer: None,
            reviewer: Some("alice".into()),
        },
    )
    .await
    .unwrap();

    // 2: blocked on output, flagged, reviewed harmful with a correction.
    let mut new = new_generation("=HYPERLINK(\"http://x\") how to make a weapon, quickly");
    new.model_name = "other-model.gguf".into();
    let id = log.begin_generation(new).await.unwrap();
    log.record_guard_event(id, event(Stage::Output, "weapons", Action::Block))
        .await
        .unwrap();
    log.record_guard_event(id, event(Stage::Reasoning, "weapons", Action::Flag))
        .await
        .unwrap();
    log.finish_generation(
        id,
        Finish::new(Status::Blocked, "thinking \"hard\"", "Step one,\nthen -2"),
    )
    .await
    .unwrap();
    log.flag(id, "dangerous").await.unwrap();
    log.review(
        id,
        ReviewInput {
            status: ReviewStatus::Harmful,
            note: Some("should refuse".into()),
            corrected_answer: Some("I can't help with that.".into()),
            reviewer: Some("bob".into()),
        },
    )
    .await
    .unwrap();
    ids.push(id);

    // 3: pii redacted, needs-fix without correction.
    let id = log
        .begin_generation(new_generation("My email is a@b.c, summarize chlorophyll"))
        .await
        .unwrap();
    log.record_guard_event(id, event(Stage::Input, "pii.email", Action::Redact))
        .await
        .unwrap();
    log.finish_generation(
        id,
        Finish::new(Status::Completed, "", "Chlorophyll is green."),
    )
    .await
    .unwrap();
    log.review(
        id,
        ReviewInput {
            status: ReviewStatus::NeedsFix,
            note: None,
            corrected_answer: None,
            reviewer: None,
        },
    )
    .await
    .unwrap();
    ids.push(id);

    // 4: unreviewed, plain.
    ids.push(finished(log, "Tell me a joke about photosynthesis", "Leaf it to me.").await);
    ids
}

fn ids(list: &[GenerationSummary]) -> Vec<i64> {
    list.iter().map(|g| g.id.0).collect()
}

#[tokio::test]
async fn list_filters_narrow_as_documented() {
    let t = temp_log().await;
    let log = &t.log;
    review_fixture(log).await;
    let page = Page::first(50);
    let cases: Vec<(&str, Filter, Vec<i64>)> = vec![
        (
            "everything_newest_first",
            Filter::default(),
            vec![4, 3, 2, 1],
        ),
        (
            "flagged",
            Filter {
                flagged: Some(true),
                ..Default::default()
            },
            vec![2],
        ),
        (
            "not_flagged",
            Filter {
                flagged: Some(false),
                ..Default::default()
            },
            vec![4, 3, 1],
        ),
        (
            "review_status",
            Filter {
                review_status: Some(ReviewStatus::NeedsFix),
                ..Default::default()
            },
            vec![3],
        ),
        (
            "category",
            Filter {
                category: Some("weapons".into()),
                ..Default::default()
            },
            vec![2],
        ),
        (
            "stage",
            Filter {
                stage: Some(Stage::Input),
                ..Default::default()
            },
            vec![4, 3, 1],
        ),
        (
            "action",
            Filter {
                action: Some(Action::Redact),
                ..Default::default()
            },
            vec![3],
        ),
        (
            "category_and_stage_on_one_event",
            Filter {
                category: Some("weapons".into()),
                stage: Some(Stage::Input),
                ..Default::default()
            },
            vec![],
        ),
        (
            "model",
            Filter {
                model: Some("other-model.gguf".into()),
                ..Default::default()
            },
            vec![2],
        ),
        (
            "status",
            Filter {
                status: Some(Status::Blocked),
                ..Default::default()
            },
            vec![2],
        ),
        (
            "text",
            Filter {
                text: Some("photosynthesis".into()),
                ..Default::default()
            },
            vec![4, 1],
        ),
        (
            "text_prefix",
            Filter {
                text: Some("chloro*".into()),
                ..Default::default()
            },
            vec![3],
        ),
        (
            "text_with_operators",
            Filter {
                text: Some("\"weapon\" OR".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            "text_and_flag",
            Filter {
                text: Some("weapon".into()),
                flagged: Some(true),
                ..Default::default()
            },
            vec![2],
        ),
        (
            "date_range_future",
            Filter {
                from: Some(now_ms() + 60_000),
                ..Default::default()
            },
            vec![],
        ),
        (
            "date_range_all",
            Filter {
                from: Some(0),
                to: Some(now_ms() + 60_000),
                ..Default::default()
            },
            vec![4, 3, 2, 1],
        ),
    ];
    for (name, filter, want) in cases {
        let got = log.list(&filter, page).await.unwrap();
        assert_eq!(ids(&got), want, "case {name}");
        assert_eq!(
            log.count(&filter).await.unwrap(),
            want.len() as u64,
            "case {name}"
        );
        // The export binds the same filter through its own path (read straight from
        // SQLite): it must select the same rows, oldest first.
        let exported: Vec<i64> = export_string(log, ExportFormat::Jsonl, &filter)
            .await
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        let mut oldest_first = want.clone();
        oldest_first.reverse();
        assert_eq!(exported, oldest_first, "export, case {name}");
    }
}

#[tokio::test]
async fn list_pages_by_offset_and_by_keyset() {
    let t = temp_log().await;
    for i in 0..7 {
        finished(&t.log, &format!("p{i}"), "an answer").await;
    }
    let f = Filter::default();
    let first = t.log.list(&f, Page::first(3)).await.unwrap();
    assert_eq!(ids(&first), vec![7, 6, 5]);
    let next = Page {
        before: Some(first[2].id),
        ..Page::first(3)
    };
    assert_eq!(ids(&t.log.list(&f, next).await.unwrap()), vec![4, 3, 2]);
    let by_offset = Page {
        offset: 3,
        ..Page::first(3)
    };
    assert_eq!(
        ids(&t.log.list(&f, by_offset).await.unwrap()),
        vec![4, 3, 2]
    );
    // Text search pages by keyset too (the FTS index drives the order).
    let f = Filter {
        text: Some("answer".into()),
        ..Default::default()
    };
    let first = t.log.list(&f, Page::first(4)).await.unwrap();
    assert_eq!(ids(&first), vec![7, 6, 5, 4]);
    let next = Page {
        before: Some(first[3].id),
        ..Page::first(4)
    };
    assert_eq!(ids(&t.log.list(&f, next).await.unwrap()), vec![3, 2, 1]);
}

#[tokio::test]
async fn summaries_carry_categories_and_the_worst_action() {
    let t = temp_log().await;
    review_fixture(&t.log).await;
    let list = t
        .log
        .list(&Filter::default(), Page::first(10))
        .await
        .unwrap();
    let blocked = list.iter().find(|g| g.id.0 == 2).unwrap();
    assert_eq!(blocked.categories, vec!["weapons".to_owned()]);
    assert_eq!(blocked.worst_action, Some(Action::Block));
    assert!(blocked.flagged);
    assert_eq!(blocked.review_status, ReviewStatus::Harmful);
    assert!(blocked.prompt_preview.starts_with("=HYPERLINK"));
}

async fn flagged_stats(log: &AuditLog) -> Stats {
    log.stats(&Filter {
        flagged: Some(true),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn stats_count_by_category_action_stage_and_day() {
    let t = temp_log().await;
    review_fixture(&t.log).await;
    let s = t.log.stats(&Filter::default()).await.unwrap();
    assert_eq!(s.total, 4);
    assert_eq!(s.flagged, 1);
    assert!((s.flag_rate - 0.25).abs() < 1e-9);
    let get = |v: &[Count], k: &str| v.iter().find(|c| c.key == k).map(|c| c.count);
    assert_eq!(get(&s.by_category, "weapons"), Some(2));
    assert_eq!(get(&s.by_category, "benign"), Some(2));
    assert_eq!(get(&s.by_action, "block"), Some(1));
    assert_eq!(get(&s.by_stage, "input"), Some(3));
    assert_eq!(get(&s.by_status, "blocked"), Some(1));
    assert_eq!(get(&s.by_review_status, "unreviewed"), Some(1));
    assert_eq!(s.by_day.len(), 1);
    assert_eq!(s.by_day[0].count, 4);
    let only_flagged = flagged_stats(&t.log).await;
    assert_eq!(only_flagged.total, 1);
    assert_eq!(get(&only_flagged.by_category, "benign"), None);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["total"], 4);
}

#[tokio::test]
async fn stats_break_guard_flags_down_by_day_category_and_stage_action() {
    let t = temp_log().await;
    review_fixture(&t.log).await;
    // One more: the language check flagged the answer (mixing), twice.
    let id = t
        .log
        .begin_generation(new_generation("Explain tides"))
        .await
        .unwrap();
    for _ in 0..2 {
        t.log
            .record_guard_event(id, event(Stage::Output, "language", Action::Flag))
            .await
            .unwrap();
    }
    t.log
        .finish_generation(
            id,
            Finish::new(Status::Completed, "", "Tides 是月亮引起的."),
        )
        .await
        .unwrap();
    let s = t.log.stats(&Filter::default()).await.unwrap();
    assert_eq!(s.by_day.len(), 1);
    let day = &s.by_day[0];
    assert_eq!((day.count, day.flagged), (5, 1));
    // Guarded: the blocked weapons answer, the redacted e-mail, the mixed language.
    assert_eq!((day.guarded, day.language_mixed), (3, 1));
    let cats: Vec<(&str, u64)> = s
        .by_day_category
        .iter()
        .map(|c| (c.category.as_str(), c.count))
        .collect();
    // A generation counts once per category however many events it has; allow verdicts
    // (the fixture's "benign" ones) are not flags.
    assert_eq!(
        cats,
        vec![("language", 1), ("pii.email", 1), ("weapons", 1)]
    );
    assert!(s.by_day_category.iter().all(|c| c.day == day.day));
    let sa: Vec<(&str, &str, u64)> = s
        .by_stage_action
        .iter()
        .map(|c| (c.stage.as_str(), c.action.as_str(), c.count))
        .collect();
    for want in [
        ("input", "redact", 1),
        ("output", "block", 1),
        ("output", "flag", 2),
        ("reasoning", "flag", 1),
    ] {
        assert!(sa.contains(&want), "{want:?} in {sa:?}");
    }
    let events: u64 = s.by_stage.iter().map(|c| c.count).sum();
    assert_eq!(sa.iter().map(|c| c.2).sum::<u64>(), events);
    // The filter applies: flagged-only leaves the weapons generation.
    let only_flagged = flagged_stats(&t.log).await;
    assert_eq!(only_flagged.by_day[0].guarded, 1);
    assert_eq!(only_flagged.by_day_category.len(), 1);
}

async fn export_string(log: &AuditLog, format: ExportFormat, filter: &Filter) -> String {
    let mut out = Vec::new();
    let cancel = AtomicBool::new(false);
    let mut last = (0, 0);
    let summary = log
        .export(&mut out, format, filter, |d, t| last = (d, t), &cancel)
        .await
        .unwrap();
    assert_eq!(last, (summary.rows, summary.total));
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn jsonl_export_parses_and_matches_the_database() {
    let t = temp_log().await;
    let ids = review_fixture(&t.log).await;
    let text = export_string(&t.log, ExportFormat::Jsonl, &Filter::default()).await;
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for (line, id) in lines.iter().zip(&ids) {
        let d = t.log.show(*id).await.unwrap();
        assert_eq!(line["id"], id.0);
        assert_eq!(line["prompt"], d.prompt.as_str());
        assert_eq!(line["answer"], d.answer.as_str());
        assert_eq!(line["reasoning"], d.reasoning.as_str());
        assert_eq!(line["status"], d.status.as_str());
        assert_eq!(line["model_meta"], d.model_meta);
        assert_eq!(line["settings"], d.settings);
        assert_eq!(line["review"]["status"], d.review_status.as_str());
        assert_eq!(line["review"]["flagged"], d.flagged);
        let events = line["guard_events"].as_array().unwrap();
        assert_eq!(events.len(), d.guard_events.len());
        for (e, de) in events.iter().zip(&d.guard_events) {
            let back: GuardEvent = serde_json::from_value(serde_json::json!({
                "id": e["id"], "generation_id": id.0, "stage": e["stage"],
                "scanner": e["scanner"], "category": e["category"], "score": e["score"],
                "action": e["action"], "spans": e["spans"],
                "policy_version": e["policy_version"], "created_at": e["created_at"],
            }))
            .unwrap();
            assert_eq!(&back, de);
        }
    }
    assert_eq!(lines[1]["review"]["flag_reason"], "dangerous");
    assert_eq!(
        lines[1]["review"]["corrected_answer"],
        "I can't help with that."
    );

    let flagged = export_string(
        &t.log,
        ExportFormat::Jsonl,
        &Filter {
            flagged: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(flagged.lines().count(), 1);
}

#[tokio::test]
async fn csv_export_parses_with_the_csv_crate_and_defuses_formulas() {
    let t = temp_log().await;
    review_fixture(&t.log).await;
    let text = export_string(&t.log, ExportFormat::Csv, &Filter::default()).await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert_eq!(r.len(), headers.len());
    }
    let blocked = &rows[1];
    assert_eq!(&blocked[col("id")], "2");
    assert_eq!(
        &blocked[col("prompt")],
        "'=HYPERLINK(\"http://x\") how to make a weapon, quickly"
    );
    assert_eq!(&blocked[col("answer")], "Step one,\nthen -2");
    assert_eq!(&blocked[col("reasoning")], "thinking \"hard\"");
    assert_eq!(&blocked[col("categories")], "weapons");
    assert_eq!(&blocked[col("stages")], "output;reasoning");
    assert_eq!(&blocked[col("actions")], "block;flag");
    assert_eq!(&blocked[col("worst_action")], "block");
    assert_eq!(&blocked[col("flagged")], "true");
    assert_eq!(&blocked[col("review_status")], "harmful");
    assert_eq!(&blocked[col("guard_event_count")], "2");
    assert_eq!(&rows[0][col("prompt")], "How do plants make food?");
}

#[tokio::test]
async fn sft_and_preference_exports_have_their_shapes() {
    let t = temp_log().await;
    review_fixture(&t.log).await;
    let sft = export_string(&t.log, ExportFormat::Sft, &Filter::default()).await;
    let sft: Vec<serde_json::Value> = sft
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Reviewed ok (1, its own answer) and corrected (2, the correction).
    assert_eq!(sft.len(), 2);
    assert_eq!(
        sft[0],
        serde_json::json!({"messages": [
            {"role": "user", "content": "How do plants make food?"},
            {"role": "assistant", "content": "Photosynthesis, using light."}
        ]})
    );
    assert_eq!(sft[1]["messages"][1]["content"], "I can't help with that.");

    let pref = export_string(&t.log, ExportFormat::Preference, &Filter::default()).await;
    let pref: Vec<serde_json::Value> = pref
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        pref,
        vec![serde_json::json!({
            "prompt": "=HYPERLINK(\"http://x\") how to make a weapon, quickly",
            "chosen": "I can't help with that.",
            "rejected": "Step one,\nthen -2",
        })]
    );
}

#[tokio::test]
async fn export_to_path_is_atomic_and_cancel_leaves_nothing() {
    let t = temp_log().await;
    for i in 0..1200 {
        finished(&t.log, &format!("prompt {i}"), "answer").await;
    }
    let target = t.dir.path().join("out.jsonl");
    std::fs::write(&target, "previous export\n").unwrap();

    let cancel = AtomicBool::new(false);
    let mut calls = Vec::new();
    let err = t
        .log
        .export_to_path(
            &target,
            ExportFormat::Jsonl,
            &Filter::default(),
            |done, total| {
                calls.push((done, total));
                if done >= 500 {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AuditError::Cancelled));
    assert_eq!(calls[0], (0, 1200));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "previous export\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".warden-export-")
        })
        .collect();
    assert!(leftovers.is_empty(), "temp file left behind");

    let cancel = AtomicBool::new(false);
    let summary = t
        .log
        .export_to_path(
            &target,
            ExportFormat::Jsonl,
            &Filter::default(),
            |_, _| {},
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(summary.rows, 1200);
    let text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(text.lines().count(), 1200);

    let missing = t.dir.path().join("no-such-dir").join("out.csv");
    let err = t
        .log
        .export_to_path(
            &missing,
            ExportFormat::Csv,
            &Filter::default(),
            |_, _| {},
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AuditError::MissingDirectory { .. }));
}

/// A writer that fails once it has taken `0` more bytes, like a disk filling up.
struct FillsUp(usize);

impl std::io::Write for FillsUp {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.0 {
            return Err(std::io::Error::other("no space left on device"));
        }
        self.0 -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The export writes on its own thread: a write that fails there ends the export with that
/// error (the reading side stops too), rather than hanging or reporting success.
#[tokio::test]
async fn an_export_whose_writer_fails_returns_the_write_error() {
    let t = temp_log().await;
    for i in 0..1200 {
        finished(&t.log, &format!("prompt {i}"), "answer").await;
    }
    let cancel = AtomicBool::new(false);
    let err = t
        .log
        .export(
            FillsUp(50_000),
            ExportFormat::Jsonl,
            &Filter::default(),
            |_, _| {},
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AuditError::Io(_)), "{err:?}");
    // The connection went back to the pool in a usable state.
    assert_eq!(t.log.count(&Filter::default()).await.unwrap(), 1200);
}
