//! Quick audit-log benchmark: `cargo run -p warden-audit --example bench_audit -- [ROWS] [DIR]`.
//! The CLI's `warden bench audit` calls the same `warden_audit::bench::run`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = match args.next() {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir(),
    };
    let db = dir.join(format!("warden-bench-{}.db", std::process::id()));
    let report = warden_audit::bench::run(&db, rows, 5_000, 2_000).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    println!("{}", serde_json::to_string_pretty(&report?)?);
    Ok(())
}
