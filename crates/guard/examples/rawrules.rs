use std::io::BufRead;
use warden_guard::rules::RuleSet;
use warden_guard::Normalized;
fn main() {
    let rules = RuleSet::builtin().unwrap();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let norm = Normalized::new(&line);
        let mut hits = Vec::new();
        rules.scan_input(&norm, &mut hits);
        let best = hits
            .iter()
            .filter(|h| h.category.is_hazard())
            .map(|h| h.score)
            .fold(0.0f32, f32::max);
        println!("{best:.2}");
    }
}
