//! The engine on the real default model, through the real worker process.

mod common;

use std::io::Write;
use std::process::Command;

use common::{client, load_params, loaded_client, model_path, warden};
use warden_engine::{
    ChatMessage, EngineError, GenEvent, ModelFamily, Prompt, SamplingParams, SegmentKind,
    StopReason, TemplateSource,
};

#[test]
fn the_default_model_loads_with_the_gemma_fallback_template_and_streams() {
    let mut progress = Vec::new();
    let mut c = client();
    let m = c
        .load(load_params(&model_path()), |p| progress.push(p))
        .unwrap()
        .clone();
    assert_eq!(m.gguf.architecture.as_deref(), Some("gemma3"));
    assert_eq!(m.family, ModelFamily::Gemma);
    assert_eq!(m.template_source, TemplateSource::Builtin("gemma"));
    assert!(m.loaded.n_params > 200_000_000);
    assert!(!progress.is_empty(), "load progress is forwarded");
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows"
    );

    let rendered = m.render(&[ChatMessage::user("Hello")]).unwrap();
    assert_eq!(
        rendered.text,
        "<bos><start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n"
    );

    let mut g = c
        .generate(
            Prompt::Chat(vec![ChatMessage::user("Name three colours.")]),
            SamplingParams::greedy(24),
        )
        .unwrap();
    let mut pieces = 0;
    let mut done = None;
    while let Some(ev) = g.next_event().unwrap() {
        match ev {
            GenEvent::Text(s) => {
                assert_eq!(s.kind, SegmentKind::Answer, "gemma does not reason");
                pieces += 1;
            }
            GenEvent::Done { stats, .. } => done = Some(stats),
        }
    }
    let stats = done.expect("a done event ends the stream");
    assert!(pieces > 1, "tokens arrive one by one, not at the end");
    assert!(stats.generated_tokens >= 1 && stats.generated_tokens <= 24);
    assert!(stats.prompt_tokens > 5);
    assert!(stats.generation_tps > 0.0 && stats.ttft_ms > 0.0);
}

#[test]
fn greedy_decoding_with_a_fixed_seed_is_reproducible() {
    let mut c = loaded_client();
    let run = |c: &mut warden_engine::EngineClient| {
        c.generate(
            Prompt::Raw("The three primary colours are".into()),
            SamplingParams::greedy(32),
        )
        .unwrap()
        .collect()
        .unwrap()
    };
    let (_, a1, s1) = run(&mut c);
    let (_, a2, _) = run(&mut c);
    assert!(!a1.trim().is_empty());
    assert_eq!(a1, a2);
    // A seeded sampler is reproducible too.
    let seeded = SamplingParams {
        temperature: 0.9,
        seed: Some(42),
        max_tokens: 32,
        ..SamplingParams::default()
    };
    let b1 = c
        .generate(Prompt::Raw("Once upon a time".into()), seeded.clone())
        .unwrap()
        .collect()
        .unwrap()
        .1;
    let b2 = c
        .generate(Prompt::Raw("Once upon a time".into()), seeded)
        .unwrap()
        .collect()
        .unwrap()
        .1;
    assert_eq!(b1, b2);
    assert!(s1.stop_reason.is_some());
}

/// Copies the default model with DeepSeek-R1's chat template written into its metadata.
fn r1_model(dir: &std::path::Path) -> std::path::PathBuf {
    let template = include_str!("../../engine/src/templates/deepseek-r1.jinja");
    let out = dir.join("gemma-with-r1-template.gguf");
    let status = Command::new(std::env::var("WARDEN_PYTHON").unwrap_or_else(|_| "python3".into()))
        .args([
            "-m",
            "gguf.scripts.gguf_new_metadata",
            "--force",
            "--chat-template",
            template,
        ])
        .arg(model_path())
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(
        status.success(),
        "gguf-new-metadata failed (pip install gguf; scripts/test.sh does this)"
    );
    out
}

#[test]
fn a_gguf_with_an_r1_template_renders_the_exact_r1_prompt_and_streams_reasoning() {
    let dir = tempfile::tempdir().unwrap();
    let path = r1_model(dir.path());
    let mut c = client();
    let m = c.load(load_params(&path), |_| {}).unwrap().clone();
    assert_eq!(m.template_source, TemplateSource::Model);
    assert_eq!(m.family, ModelFamily::DeepseekR1);
    let preset = m.sampling_preset();
    assert_eq!((preset.temperature, preset.top_p), (0.6, 0.95));

    let r = m
        .render(&[
            ChatMessage::system("Be concise."),
            ChatMessage::user("What is 2+2?"),
        ])
        .unwrap();
    assert_eq!(
        r.text, "<bos><｜User｜>Be concise.\n\nWhat is 2+2?<｜Assistant｜><think>\n",
        "system text folded into the user turn; generation prompt opens <think>"
    );
    assert!(r.has_bos && r.opens_reasoning);

    // The prompt opened <think>, so what the model says first is reasoning.
    let mut g = c
        .generate(
            Prompt::Chat(vec![ChatMessage::user("Hi")]),
            SamplingParams::greedy(8),
        )
        .unwrap();
    let mut kinds = Vec::new();
    let mut summary = None;
    while let Some(ev) = g.next_event().unwrap() {
        match ev {
            GenEvent::Text(s) => kinds.push(s.kind),
            GenEvent::Done { reasoning, .. } => summary = Some(reasoning),
        }
    }
    assert_eq!(kinds.first(), Some(&SegmentKind::Reasoning));
    assert!(summary.unwrap().opened);
}

fn write_file(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

fn head_of_model(n: usize) -> Vec<u8> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open(model_path())
        .unwrap()
        .read_exact(&mut buf)
        .unwrap();
    buf
}

#[test]
fn broken_files_are_clear_errors_and_the_caller_survives() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut random = vec![0u8; 1 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in &mut random {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let mut absurd = b"GGUF".to_vec();
    absurd.extend(3u32.to_le_bytes());
    absurd.extend(u64::MAX.to_le_bytes());
    absurd.extend(u64::MAX.to_le_bytes());
    let mut wrong_magic = head_of_model(4096);
    wrong_magic[..4].copy_from_slice(b"GGML");
    let cases: Vec<(&str, std::path::PathBuf, &str)> = vec![
        (
            "random bytes",
            write_file(d, "random.gguf", &random),
            "not a GGUF",
        ),
        ("empty file", write_file(d, "empty.gguf", b""), "empty"),
        (
            "first 1 MB",
            write_file(d, "t1.gguf", &head_of_model(1 << 20)),
            "truncated",
        ),
        (
            "first 100 MB",
            write_file(d, "t100.gguf", &head_of_model(100 << 20)),
            "truncated",
        ),
        (
            "wrong magic",
            write_file(d, "magic.gguf", &wrong_magic),
            "not a GGUF",
        ),
        (
            "absurd counts",
            write_file(d, "absurd.gguf", &absurd),
            "corrupt",
        ),
        ("missing path", d.join("nope.gguf"), "not found"),
        ("a directory", d.to_owned(), "directory"),
    ];
    let mut c = client();
    for (name, path, expect) in cases {
        let err = c.load(load_params(&path), |_| {}).unwrap_err();
        assert!(
            matches!(err, EngineError::InvalidModel(_)),
            "{name}: expected InvalidModel, got {err:?}"
        );
        assert!(
            err.to_string()
                .to_lowercase()
                .contains(&expect.to_lowercase()),
            "{name}: message {:?} should say {expect:?}",
            err.to_string()
        );
    }
    // After all that, the same client still loads the real model.
    c.load(load_params(&model_path()), |_| {}).unwrap();
}

#[test]
fn a_header_llama_cpp_refuses_is_a_load_error_and_the_worker_stays_usable() {
    // A well-formed GGUF with an architecture but no tensors: Rust accepts the header,
    // llama.cpp cannot build a model from it.
    let mut v = b"GGUF".to_vec();
    v.extend(3u32.to_le_bytes());
    v.extend(0u64.to_le_bytes());
    v.extend(1u64.to_le_bytes());
    let key = "general.architecture";
    v.extend((key.len() as u64).to_le_bytes());
    v.extend(key.as_bytes());
    v.extend(8u32.to_le_bytes());
    v.extend(6u64.to_le_bytes());
    v.extend(b"gemma3");
    let dir = tempfile::tempdir().unwrap();
    let p = write_file(dir.path(), "hollow.gguf", &v);
    let mut c = client();
    let err = c.load(load_params(&p), |_| {}).unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::LoadFailed(_) | EngineError::EngineCrashed { .. }
        ),
        "{err:?}"
    );
    c.load(load_params(&model_path()), |_| {}).unwrap();
    let (_, a, _) = c
        .generate(Prompt::Raw("Hello".into()), SamplingParams::greedy(4))
        .unwrap()
        .collect()
        .unwrap();
    assert!(!a.is_empty());
}

#[test]
fn a_prompt_longer_than_the_context_is_a_clear_error_before_decoding() {
    let mut c = client();
    let mut p = load_params(&model_path());
    p.n_ctx = 256;
    c.load(p, |_| {}).unwrap();
    let long = "word ".repeat(2000);
    let err = c
        .generate(
            Prompt::Chat(vec![ChatMessage::user(long)]),
            SamplingParams::greedy(8),
        )
        .unwrap()
        .collect()
        .unwrap_err();
    assert!(matches!(err, EngineError::PromptTooLong(_)), "{err:?}");
    assert!(err.to_string().contains("context holds 256"), "{err}");
    // The model is still loaded and usable.
    c.generate(Prompt::Raw("Hi".into()), SamplingParams::greedy(2))
        .unwrap()
        .collect()
        .unwrap();
}

#[test]
fn a_worker_killed_mid_generation_is_engine_crashed_and_a_new_load_works() {
    let mut c = loaded_client();
    let pid = c.worker_pid().unwrap();
    let long = SamplingParams {
        ignore_eog: true,
        ..SamplingParams::greedy(4000)
    };
    let mut g = c
        .generate(Prompt::Raw("Count: one two".into()), long)
        .unwrap();
    for _ in 0..3 {
        g.next_event().unwrap();
    }
    let st = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let err = loop {
        match g.next_event() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the stream ended normally after SIGKILL"),
            Err(e) => break e,
        }
    };
    drop(g);
    match &err {
        EngineError::EngineCrashed { status, .. } => {
            assert!(status.contains("SIGKILL"), "{status}")
        }
        other => panic!("expected EngineCrashed, got {other:?}"),
    }
    assert_eq!(err.code(), "engine_crashed");
    assert!(c.model().is_none(), "the model went with the worker");
    c.load(load_params(&model_path()), |_| {}).unwrap();
    assert_ne!(c.worker_pid(), Some(pid), "a fresh worker");
    c.generate(Prompt::Raw("Hi".into()), SamplingParams::greedy(2))
        .unwrap()
        .collect()
        .unwrap();
}

#[test]
fn an_abort_inside_the_worker_costs_the_model_not_the_caller() {
    let mut c = loaded_client();
    c.abort_worker_for_test().unwrap();
    let err = c
        .generate(Prompt::Raw("Hi".into()), SamplingParams::greedy(4))
        .and_then(|g| g.collect())
        .unwrap_err();
    match &err {
        EngineError::EngineCrashed { status, log_tail } => {
            assert!(status.contains("SIGABRT"), "{status}");
            assert!(!log_tail.is_empty(), "the worker's last log lines are kept");
        }
        other => panic!("expected EngineCrashed, got {other:?}"),
    }
    c.load(load_params(&model_path()), |_| {}).unwrap();
}

#[test]
fn cancellation_stops_generation_within_a_token() {
    let mut c = loaded_client();
    let canceller = c.canceller().unwrap();
    let long = SamplingParams {
        ignore_eog: true,
        ..SamplingParams::greedy(4000)
    };
    let mut g = c
        .generate(Prompt::Raw("Once upon a time".into()), long)
        .unwrap();
    let mut before = 0;
    while before < 5 {
        if let Some(GenEvent::Text(_)) = g.next_event().unwrap() {
            before += 1;
        }
    }
    canceller.cancel();
    let mut after = 0;
    let stats = loop {
        match g.next_event().unwrap() {
            Some(GenEvent::Text(_)) => after += 1,
            Some(GenEvent::Done { stats, .. }) => break stats,
            None => panic!("no done event"),
        }
    };
    assert_eq!(stats.stop_reason, Some(StopReason::Cancelled));
    // Tokens already in the pipe when the cancel was sent may still arrive, but no more.
    assert!(after <= 3, "{after} tokens arrived after cancelling");
    assert!(stats.generated_tokens < 20);
    drop(g);
    // The worker is ready for the next generation.
    c.generate(Prompt::Raw("Hi".into()), SamplingParams::greedy(2))
        .unwrap()
        .collect()
        .unwrap();
}

#[test]
fn the_warden_binary_inspects_models_and_chats_as_json_lines() {
    let out = Command::new(warden())
        .args(["models", "info", "--json"])
        .arg(model_path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["architecture"], "gemma3");
    assert_eq!(info["file_type"], "Q4_K_M");

    let out = Command::new(warden())
        .args([
            "chat",
            "--json",
            "--max-tokens",
            "8",
            "--temperature",
            "0",
            "--threads",
            "2",
            "--model",
        ])
        .arg(model_path())
        .arg("Say hello.")
        .output()
        .unwrap();
    common::assert_success(&out, "");
    let events: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is one JSON object"))
        .collect();
    assert!(events.iter().any(|e| e["type"] == "token"));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "done");
    assert!(last["stats"]["generated_tokens"].as_u64().unwrap() <= 8);

    let out = Command::new(warden())
        .args(["chat", "--model", "/nonexistent/model.gguf", "hi"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}

#[test]
fn a_chat_continued_from_the_cached_prefix_says_exactly_what_a_fresh_context_says() {
    let mut c = loaded_client();
    let turn1 = vec![ChatMessage::user("Name a colour.")];
    let (_, a1, _) = c
        .generate(Prompt::Chat(turn1), SamplingParams::greedy(12))
        .unwrap()
        .collect()
        .unwrap();
    let turn2 = vec![
        ChatMessage::user("Name a colour."),
        ChatMessage::assistant(a1),
        ChatMessage::user("And a fruit?"),
    ];
    // The second turn starts with the first turn's tokens, still in the cache.
    let (_, cached, s_cached) = c
        .generate(Prompt::Chat(turn2.clone()), SamplingParams::greedy(16))
        .unwrap()
        .collect()
        .unwrap();
    let fresh_params = SamplingParams {
        fresh_context: true,
        ..SamplingParams::greedy(16)
    };
    let (_, fresh, s_fresh) = c
        .generate(Prompt::Chat(turn2), fresh_params)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(cached, fresh);
    assert_eq!(s_cached.prompt_tokens, s_fresh.prompt_tokens);
}
