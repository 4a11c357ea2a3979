//! `warden bench audit` fills a real scratch SQLite log, measures it and cleans up.

mod common;

use std::process::Command;

#[test]
fn bench_audit_fills_a_log_that_verifies_and_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::warden())
        .args([
            "bench", "audit", "--rows", "600", "--single", "25", "--json", "--dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    common::assert_success(&out, "");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["generations"], 625);
    assert_eq!(r["verify_ok"], true);
    assert_eq!(r["export"]["rows"], 625);
    assert_eq!(r["insert_one_per_transaction"]["rows"], 25);
    assert!(r["insert_batched"]["per_sec"].as_f64().unwrap() > 0.0);
    assert!(r["list"]["runs"].as_u64().unwrap() > 0);
    // The scratch database and its export are gone.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
