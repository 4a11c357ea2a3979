//! Generated test inputs: texts glued from fragments, for tests that compare a fast path
//! with its specification.

/// `count` texts, each 1 to `max_parts` of `parts` glued together (with a space after some
/// fragments when `spaces`), picked by a fixed LCG from `seed` so a failure reproduces.
pub(crate) fn glued(
    parts: &[&str],
    seed: u64,
    count: usize,
    max_parts: u64,
    spaces: bool,
) -> Vec<String> {
    let mut seed = seed;
    let mut step = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed
    };
    (0..count)
        .map(|_| {
            let mut t = String::new();
            for _ in 0..(step() % max_parts + 1) {
                let r = step();
                t.push_str(parts[(r >> 33) as usize % parts.len()]);
                if spaces && (r >> 20) % 3 == 0 {
                    t.push(' ');
                }
            }
            t
        })
        .collect()
}
