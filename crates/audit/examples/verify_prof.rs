//! Profiling helper: `verify_prof fill ROWS DB [BATCH]` keeps a filled log, `verify_prof
//! single ROWS DB` adds rows through the real write path, `verify_prof search DB` times
//! full-text searches; `verify_prof index DB` catches the full-text index up; `verify_prof verify DB`
//! and `verify_prof export DB OUT` time one pass over it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args[0].as_str() {
        "fill" => {
            let log = warden_audit::AuditLog::open(&args[2]).await?;
            let batch = args.get(3).map_or(Ok(5_000), |b| b.parse())?;
            let r = warden_audit::bench::fill(&log, args[1].parse()?, batch, 7).await?;
            println!("{r:?}");
        }
        "single" => {
            let log = warden_audit::AuditLog::open(&args[2]).await?;
            let r =
                warden_audit::bench::insert_one_per_transaction(&log, args[1].parse()?, 7).await?;
            println!("{r:?}");
        }
        "index" => {
            let log = warden_audit::AuditLog::open(&args[1]).await?;
            let t = std::time::Instant::now();
            let n = log.index_pending().await?;
            println!("indexed {n} in {:?}", t.elapsed());
        }
        "ping" => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", args[1])).await?;
            let mut c = pool.acquire().await?;
            let t = std::time::Instant::now();
            for _ in 0..5000 {
                sqlx::query("SELECT 1").execute(&mut *c).await?;
            }
            println!("round trip {:?}", t.elapsed() / 5000);
        }
        "search" => {
            let log = warden_audit::AuditLog::open(&args[1]).await?;
            let r = warden_audit::bench::time_search(&log, 20).await?;
            println!("search {r:?}");
        }
        "verify" => {
            let log = warden_audit::AuditLog::open(&args[1]).await?;
            let t = std::time::Instant::now();
            let r = log.verify(None).await?;
            println!("verify {:?} ok={} entries={}", t.elapsed(), r.ok, r.entries);
        }
        _ => {
            let log = warden_audit::AuditLog::open(&args[1]).await?;
            let t = std::time::Instant::now();
            let r = warden_audit::bench::time_export(&log, std::path::Path::new(&args[2])).await?;
            println!("export {:?} {r:?}", t.elapsed());
        }
    }
    Ok(())
}
