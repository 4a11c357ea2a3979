//! The whole pipeline (guard → engine → guard → audit) on the real model and a real SQLite file.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{model_path, warden};
use warden_audit::{Filter, GenerationId, Page, Status};
use warden_core::{
    Audit, FnSink, GenerationEvent, PromptStyle, SamplingPreset, Session, Settings, TurnOptions,
};
use warden_engine::WorkerCommand;
use warden_guard::Guard;

fn settings() -> Settings {
    let mut s = Settings::default();
    s.model.path = Some(model_path());
    s.model.threads = 2;
    s.model.context = 1024;
    s.sampling.temperature = Some(0.0);
    s.sampling.max_tokens = Some(16);
    s
}

fn session(db: &Path) -> Session {
    let mut s = Session::new(
        settings(),
        WorkerCommand::new(warden()),
        Guard::with_default_policy(),
        Audit::open(db).expect("the audit log opens"),
    );
    s.load_model(None, |_| {}).expect("the model loads");
    s
}

fn all(audit: &Audit) -> Vec<warden_audit::GenerationSummary> {
    let f = Filter::default();
    audit.call(|a| a.list(&f, Page::first(1000))).unwrap()
}

#[test]
fn every_turn_leaves_exactly_one_record_completed_blocked_cancelled_and_failed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    let mut s = session(&db);

    // Completed, with a PII verdict on the input.
    let mut events = Vec::new();
    let done = s
        .send("My email is jane@example.org. Say hi.", &mut events)
        .unwrap();
    assert_eq!(done.status, "completed");
    assert!(matches!(events[0], GenerationEvent::Started { .. }));
    assert!(events
        .iter()
        .any(|e| matches!(e, GenerationEvent::Token { .. })));

    // Blocked at the input: the model never runs.
    let mut events = Vec::new();
    let blocked = s
        .send(
            "Give me step by step instructions to build a pipe bomb.",
            &mut events,
        )
        .unwrap();
    assert_eq!(blocked.status, "blocked");
    assert!(events
        .iter()
        .any(|e| matches!(e, GenerationEvent::Blocked(v) if v.stage == "input")));
    assert!(!events.iter().any(|e| matches!(
        e,
        GenerationEvent::Token { .. } | GenerationEvent::Reasoning { .. }
    )));

    // Cancelled from another handle after a few tokens.
    s.settings_mut().sampling.max_tokens = Some(500);
    s.settings_mut().sampling.ignore_eog = Some(true);
    let canceller = s.canceller().unwrap();
    let mut n = 0;
    let cancelled = s
        .send(
            "Tell me a long story.",
            &mut FnSink(|e| {
                if let GenerationEvent::Token { .. } = e {
                    n += 1;
                    if n == 3 {
                        canceller.cancel();
                    }
                }
            }),
        )
        .unwrap();
    assert_eq!(cancelled.status, "cancelled");

    // Failed: the worker dies mid-generation.
    let pid = s.worker_pid().unwrap();
    let mut killed = false;
    let err = s
        .send(
            "Tell me another long story.",
            &mut FnSink(|e| {
                if let GenerationEvent::Token { .. } = e {
                    if !killed {
                        killed = true;
                        Command::new("kill")
                            .args(["-9", &pid.to_string()])
                            .status()
                            .unwrap();
                    }
                }
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), "engine_crashed");

    let rows = all(s.audit());
    let mut statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["blocked", "cancelled", "completed", "failed"]);
    let blocked_row = s
        .audit()
        .call(|a| a.show(GenerationId(blocked.generation_id)))
        .unwrap();
    assert!(blocked_row.answer.is_empty() && blocked_row.reasoning.is_empty());
    assert!(blocked_row
        .guard_events
        .iter()
        .any(|e| e.stage.as_str() == "input"
            && e.action.as_str() == "block"
            && e.category == "S9"));
    let first = s
        .audit()
        .call(|a| a.show(GenerationId(done.generation_id)))
        .unwrap();
    assert!(first.guard_events.iter().any(|e| e.category == "pii"));
    assert_eq!(first.answer, done.answer);
    assert!(s.audit().call(|a| a.verify(None)).unwrap().ok);
}

#[test]
fn a_threads_own_style_language_and_sampling_apply_to_its_turn_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    let mut s = session(&db);
    // Sampling that varies, so the deterministic preset has something to override.
    s.settings_mut().sampling.temperature = Some(1.5);
    let options = TurnOptions {
        style: Some(PromptStyle::StepByStep),
        language: Some("fr".into()),
        sampling: SamplingPreset::Deterministic,
    };
    let mut answers = Vec::new();
    for _ in 0..2 {
        s.reset();
        let out = s
            .send_with(
                "Name three colours.",
                &options,
                &mut Vec::<GenerationEvent>::new(),
            )
            .unwrap();
        assert_eq!(out.status, "completed");
        let d = s
            .audit()
            .call(|a| a.show(GenerationId(out.generation_id)))
            .unwrap();
        assert_eq!(d.settings["temperature"], 0.0, "{}", d.settings);
        assert_eq!(d.settings["language"], "fr");
        assert_eq!(d.settings["style"], "step-by-step");
        answers.push(out.answer);
    }
    assert_eq!(answers[0], answers[1], "greedy decoding repeats itself");
    assert!(!answers[0].is_empty());
    // The settings are the session's again; an empty language turns a configured pin off.
    assert_eq!(s.settings().language, None);
    assert_eq!(s.settings().style, PromptStyle::Plain);
    s.settings_mut().language = Some("de".into());
    let off = TurnOptions {
        language: Some(String::new()),
        ..TurnOptions::default()
    };
    let out = s
        .send_with("Say hi.", &off, &mut Vec::<GenerationEvent>::new())
        .unwrap();
    let d = s
        .audit()
        .call(|a| a.show(GenerationId(out.generation_id)))
        .unwrap();
    assert_eq!(d.settings["language"], serde_json::Value::Null);
    assert_eq!(d.settings["temperature"], 1.5);
    assert_eq!(s.settings().language.as_deref(), Some("de"));
}

#[test]
fn a_missing_database_folder_stops_the_turn_before_the_model_runs() {
    let err = Audit::open(Path::new("/nonexistent-warden-dir/audit.sqlite3")).unwrap_err();
    assert_eq!(err.code(), "missing_directory");
    let out = Command::new(warden())
        .args([
            "chat",
            "--db",
            "/nonexistent-warden-dir/audit.sqlite3",
            "--model",
        ])
        .arg(model_path())
        .arg("hello")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing was generated");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nonexistent-warden-dir"));
}

#[test]
fn a_database_locked_past_the_timeout_is_a_clear_error_and_nothing_is_generated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    let mut s = session(&db);
    // Another process holds the write lock.
    let python = std::env::var("WARDEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut locker = Command::new(python)
        .args([
            "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(60)",
        ])
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(locker.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");
    let mut events = Vec::new();
    let err = s.send("Say hi.", &mut events).unwrap_err();
    locker.kill().unwrap();
    locker.wait().unwrap();
    assert_eq!(err.code(), "locked", "{err}");
    assert!(!events.iter().any(|e| matches!(
        e,
        GenerationEvent::Token { .. } | GenerationEvent::Reasoning { .. }
    )));
    assert!(matches!(events.last(), Some(GenerationEvent::Error { .. })));
    // Once the lock is gone the same session works again.
    s.send("Say hi.", &mut Vec::new()).unwrap();
}

fn wait_for_partial(audit: &Audit, deadline: Duration) -> GenerationId {
    let start = Instant::now();
    loop {
        let running = Filter {
            status: Some(Status::Running),
            ..Filter::default()
        };
        let rows = audit.call(|a| a.list(&running, Page::first(1))).unwrap();
        if let Some(r) = rows.first() {
            let d = audit.call(|a| a.show(r.id)).unwrap();
            if !d.answer.is_empty() {
                return r.id;
            }
        }
        assert!(
            start.elapsed() < deadline,
            "no partial text was written in time"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn killing_the_cli_mid_generation_twenty_times_loses_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    let watcher = Audit::open(&db).unwrap();
    for round in 0..20 {
        let mut child = Command::new(warden())
            .args(["chat", "--db"])
            .arg(&db)
            .args([
                "--threads",
                "2",
                "--max-tokens",
                "4000",
                "--ignore-eos",
                "--model",
            ])
            .arg(model_path())
            .arg("Write a long story about a lighthouse keeper.")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let id = wait_for_partial(&watcher, Duration::from_secs(60));
        let partial = watcher.call(|a| a.show(id)).unwrap().answer;
        Command::new("kill")
            .args(["-9", &child.id().to_string()])
            .status()
            .unwrap();
        child.wait().unwrap();
        // The next open marks it interrupted, keeping what was written.
        let after = Audit::open(&db).unwrap();
        let d = after.call(|a| a.show(id)).unwrap();
        assert_eq!(d.status, Status::Interrupted, "round {round}");
        assert!(
            d.answer.starts_with(&partial) && !d.answer.is_empty(),
            "round {round}"
        );
        let report = after.call(|a| a.verify(None)).unwrap();
        assert!(report.ok, "round {round}: {:?}", report.first_break);
    }
    assert_eq!(all(&watcher).len(), 20);
}

#[test]
fn two_processes_writing_to_one_database_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    let spawn = |prompt: &str| {
        Command::new(warden())
            .args(["chat", "--db"])
            .arg(&db)
            .args([
                "--threads",
                "1",
                "--max-tokens",
                "24",
                "--seed",
                "1",
                "--model",
            ])
            .arg(model_path())
            .arg(prompt)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = ["Name a fruit.", "Name a colour.", "Name a tree."]
        .iter()
        .map(|p| spawn(p))
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        common::assert_success(&out, "");
    }
    let audit = Audit::open(&db).unwrap();
    let rows = all(&audit);
    assert_eq!(rows.len(), 3);
    // Every turn finished and none was marked interrupted by another process's recovery.
    // The output guard may block what the small model says (its classifier read 2 of 75
    // unseeded 24-token answers here, ASCII art and repeated function words, as S14 and S10,
    // before it stopped reading all but wordless text; none of 180 seeded ones since, see
    // `the_default_models_own_answers_are_let_through`): that is a finished turn too, and not
    // what this test is about.
    for r in &rows {
        let d = audit.call(|a| a.show(r.id)).unwrap();
        assert!(
            r.status == Status::Completed
                || (r.status == Status::Blocked
                    && r.stop_reason
                        .as_deref()
                        .is_some_and(|s| s.starts_with("guard:"))),
            "{:?} {:?} {:?}: {:?}",
            r.status,
            r.stop_reason,
            r.prompt_preview,
            d.error
        );
    }
    assert!(audit.call(|a| a.verify(None)).unwrap().ok);
}

#[test]
fn review_and_export_through_the_cli_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    {
        let mut s = session(&db);
        s.send("Say hi.", &mut Vec::new()).unwrap();
        s.send("Say bye.", &mut Vec::new()).unwrap();
    }
    let cli = |args: &[&str]| {
        let out = Command::new(warden())
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        common::assert_success(&out, &format!("{args:?}: "));
        String::from_utf8(out.stdout).unwrap()
    };
    cli(&["audit", "flag", "1", "--reason", "rude"]);
    let fix = dir.path().join("fix.txt");
    std::fs::write(&fix, "Hello! How can I help?").unwrap();
    cli(&[
        "audit",
        "review",
        "1",
        "--status",
        "needs-fix",
        "--correct-answer-file",
        fix.to_str().unwrap(),
    ]);
    cli(&["audit", "review", "2", "--status", "ok"]);
    let flagged = cli(&["audit", "list", "--flagged", "--json"]);
    assert_eq!(flagged.lines().count(), 1);

    let jsonl = dir.path().join("all.jsonl");
    cli(&[
        "audit",
        "export",
        "--format",
        "jsonl",
        "--out",
        jsonl.to_str().unwrap(),
    ]);
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["prompt"], "Say hi.");

    let sft = dir.path().join("sft.jsonl");
    cli(&[
        "audit",
        "export",
        "--format",
        "sft",
        "--out",
        sft.to_str().unwrap(),
    ]);
    let sft = std::fs::read_to_string(&sft).unwrap();
    assert_eq!(sft.lines().count(), 2, "the ok one and the corrected one");
    assert!(sft.contains("Hello! How can I help?"));

    let pref = dir.path().join("pref.jsonl");
    cli(&[
        "audit",
        "export",
        "--format",
        "preference",
        "--out",
        pref.to_str().unwrap(),
    ]);
    let pref: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&pref).unwrap().trim()).unwrap();
    assert_eq!(pref["prompt"], "Say hi.");
    assert_eq!(pref["chosen"], "Hello! How can I help?");

    let verify = cli(&["audit", "verify"]);
    assert!(verify.starts_with("ok"), "{verify}");
    let anchor = cli(&["audit", "anchor"]);
    cli(&["audit", "verify", "--anchor", anchor.trim()]);
}

#[test]
fn with_store_redacted_the_log_never_holds_the_redacted_pii() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    let mut s = session(&db);
    s.settings_mut().audit.store_redacted = true;
    let out = s
        .send(
            "Mail me at jane.roe@example.com please.",
            &mut Vec::<GenerationEvent>::new(),
        )
        .unwrap();
    let d = s
        .audit()
        .call(|a| a.show(GenerationId(out.generation_id)))
        .unwrap();
    assert!(!d.prompt.contains("jane.roe@example.com"), "{}", d.prompt);
    assert!(d.prompt.contains("[EMAIL]"), "{}", d.prompt);
    assert!(d.guard_events.iter().any(|e| e.category == "pii"));
}

fn session_with_guard_model(db: &Path, fail_closed: bool) -> (Session, u32) {
    let mut policy = warden_guard::Policy::default();
    policy.optional_scanners.fail_mode = if fail_closed {
        warden_guard::FailMode::Closed
    } else {
        warden_guard::FailMode::Open
    };
    let mut s = Session::new(
        settings(),
        WorkerCommand::new(warden()),
        Guard::new(policy).unwrap(),
        Audit::open(db).unwrap(),
    );
    s.load_model(None, |_| {}).unwrap();
    // The default model stands in for a guard model; its worker is killed so that the guard
    // model fails, which is what the fail mode is about.
    let gm =
        warden_core::GuardModel::load(&model_path(), WorkerCommand::new(warden()), &settings())
            .unwrap();
    let pid = gm.worker_pid().unwrap();
    s.set_guard_model(Some(gm));
    (s, pid)
}

#[test]
fn a_failing_guard_model_blocks_when_the_policy_fails_closed_and_is_recorded_when_open() {
    let dir = tempfile::tempdir().unwrap();
    for fail_closed in [true, false] {
        let db = dir.path().join(format!("audit-{fail_closed}.sqlite3"));
        let (mut s, pid) = session_with_guard_model(&db, fail_closed);
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
        let out = s
            .send(
                "What is the capital of France?",
                &mut Vec::<GenerationEvent>::new(),
            )
            .unwrap();
        let d = s
            .audit()
            .call(|a| a.show(GenerationId(out.generation_id)))
            .unwrap();
        let ev = d
            .guard_events
            .iter()
            .find(|e| e.scanner == "guard_model")
            .expect("the guard model's failure is on the record");
        assert_eq!(ev.category, "unavailable");
        if fail_closed {
            assert_eq!(out.status, "blocked");
            assert!(out.answer.is_empty());
            assert_eq!(ev.action.as_str(), "block");
        } else {
            assert_eq!(out.status, "completed");
            assert_eq!(ev.action.as_str(), "allow");
        }
    }
}

#[test]
fn a_working_guard_model_is_consulted_on_input_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    let (mut s, _) = session_with_guard_model(&db, false);
    // Not killed this time: whatever the stand-in answers is parsed or reported as
    // unavailable, and either way the guard model leaves a trace at both stages.
    let out = s.send("Say hi.", &mut Vec::new()).unwrap();
    assert_eq!(out.status, "completed", "fail-open: the turn goes through");
    let d = s
        .audit()
        .call(|a| a.show(GenerationId(out.generation_id)))
        .unwrap();
    let mut gm_stages: Vec<&str> = d
        .guard_events
        .iter()
        .filter(|e| e.scanner == "guard_model")
        .map(|e| e.stage.as_str())
        .collect();
    gm_stages.dedup();
    assert_eq!(gm_stages, ["input", "output"]);
}

#[test]
fn an_answer_the_output_guard_blocks_is_retracted_and_kept_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite3");
    // A policy that blocks an e-mail address in the answer (and lets the prompt's through).
    let mut policy = warden_guard::Policy::default();
    policy
        .actions
        .input
        .insert(warden_guard::Category::Pii, warden_guard::Action::Allow);
    policy
        .actions
        .output
        .insert(warden_guard::Category::Pii, warden_guard::Action::Block);
    let mut s = Session::new(
        settings(),
        WorkerCommand::new(warden()),
        Guard::new(policy).unwrap(),
        Audit::open(&db).unwrap(),
    );
    s.load_model(None, |_| {}).unwrap();
    let mut events = Vec::<GenerationEvent>::new();
    // The default model repeats the address (checked on 2026-12-05, greedy).
    let out = s
        .send(
            "Repeat exactly, nothing else: Write to bob.smith@example.org today.",
            &mut events,
        )
        .unwrap();
    assert_eq!(out.status, "blocked", "{:?}", out.answer);
    let blocked: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            GenerationEvent::Blocked(v) => Some(v),
            _ => None,
        })
        .collect();
    assert_eq!(blocked.len(), 1, "{events:?}");
    assert_eq!((blocked[0].stage, blocked[0].action), ("output", "block"));
    assert!(blocked[0].categories.contains(&"pii".to_owned()));
    // The record keeps what was said, with the block on it.
    let d = s
        .audit()
        .call(|a| a.show(GenerationId(out.generation_id)))
        .unwrap();
    assert_eq!(d.status, Status::Blocked);
    assert!(d.answer.contains("bob.smith@example.org"), "{}", d.answer);
    assert!(d.guard_events.iter().any(|e| e.category == "pii"
        && e.stage.as_str() == "output"
        && e.action.as_str() == "block"));
}
