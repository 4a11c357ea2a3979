fn main() {
    // `sqlx::migrate!` embeds the migrations at compile time; without this line a new
    // migration file would not trigger a rebuild and the binary would silently lack it.
    println!("cargo:rerun-if-changed=../../migrations");
}
