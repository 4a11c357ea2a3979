//! Function multiversioning for the encoder's loops.
//!
//! A release build targets baseline x86-64, so a loop the compiler vectorizes runs 4 lanes
//! wide (SSE2). [`multiversion!`] compiles one `#[inline(always)]` body three times: plain,
//! with AVX2, and with AVX-512, and picks by the CPU at run time ([`tier`]). All versions do
//! the same arithmetic in the same order (Rust never contracts `a * b + c` into an FMA, nor
//! reorders float sums), so the results are bit-identical; only the width of the vectors
//! changes. `tests/portable.rs` checks whole embeddings on every tier this CPU has.

use std::sync::atomic::{AtomicU8, Ordering};

/// What the CPU offers the kernels, slowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Baseline code (SSE2 on x86-64; any other architecture).
    Portable,
    /// AVX2 (x86-64-v3: most CPUs since 2013 without AVX-512).
    Avx2,
    /// AVX-512 F/BW/VL with VNNI (Ice Lake and later servers, Zen 4 and later).
    Avx512,
}

impl Tier {
    /// Every tier up to and including this one.
    pub fn and_below(self) -> impl Iterator<Item = Tier> {
        [Tier::Portable, Tier::Avx2, Tier::Avx512]
            .into_iter()
            .filter(move |t| *t <= self)
    }
}

/// 0: not capped; else the cap's `Tier as u8 + 1`.
static CAP: AtomicU8 = AtomicU8::new(0);

/// The tier the kernels run at: what the CPU has, capped by [`cap_tier`].
pub fn tier() -> Tier {
    let t = detected();
    match CAP.load(Ordering::Relaxed) {
        0 => t,
        c => t.min(match c - 1 {
            0 => Tier::Portable,
            1 => Tier::Avx2,
            _ => Tier::Avx512,
        }),
    }
}

/// Runs the kernels at most at `tier` from now on (`None`: as fast as the CPU allows).
/// For tests and benchmarks that compare the tiers in one process.
pub fn cap_tier(tier: Option<Tier>) {
    CAP.store(tier.map_or(0, |t| t as u8 + 1), Ordering::Relaxed);
}

/// The best tier this CPU supports.
pub fn detected() -> Tier {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static TIER: OnceLock<Tier> = OnceLock::new();
        *TIER.get_or_init(|| {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512vnni")
                && is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
            {
                Tier::Avx512
            } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                Tier::Avx2
            } else {
                Tier::Portable
            }
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    Tier::Portable
}

/// `multiversion!(pub fn name(a: A, b: B) -> R = body_fn);` defines `name`, which calls
/// `body_fn` (an `#[inline(always)]` function) compiled for the CPU's [`tier`].
macro_rules! multiversion {
    ($vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? = $body:path;) => {
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
                fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                match $crate::simd::tier() {
                    // SAFETY: `tier()` checked that this CPU has every enabled feature.
                    #[allow(unsafe_code)]
                    $crate::simd::Tier::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    #[allow(unsafe_code)]
                    $crate::simd::Tier::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::simd::Tier::Portable => {}
                }
            }
            $body($($arg),*)
        }
    };
}
pub(crate) use multiversion;
