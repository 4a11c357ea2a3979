//! Function multiversioning for the encoder's plain loops.
//!
//! A release build targets baseline x86-64, so a loop the compiler vectorizes runs 4 lanes
//! wide (SSE2). [`multiversion!`] compiles one `#[inline(always)]` body twice, once more with
//! AVX-512 enabled, and picks at run time. Both versions do the same arithmetic in the same
//! order (Rust never contracts `a * b + c` into an FMA, nor reorders float sums), so the
//! results are bit-identical; only the width of the vectors changes.

use std::sync::atomic::{AtomicBool, Ordering};

static PORTABLE: AtomicBool = AtomicBool::new(false);

/// Whether the AVX-512 versions run: the CPU has them (F, BW, VL, FMA; VNNI for the int8
/// products) and [`force_portable`] is off.
pub fn avx512() -> bool {
    !PORTABLE.load(Ordering::Relaxed) && detected()
}

/// Runs everything on the portable versions from now on (`true`) or back on the fastest
/// (`false`). For tests that compare the two in one process.
pub fn force_portable(on: bool) {
    PORTABLE.store(on, Ordering::Relaxed);
}

fn detected() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static YES: OnceLock<bool> = OnceLock::new();
        *YES.get_or_init(|| {
            is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512vnni")
                && is_x86_feature_detected!("fma")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// `multiversion!(pub fn name(a: A, b: B) -> R = body_fn);` defines `name`, which calls
/// `body_fn` (an `#[inline(always)]` function) compiled for AVX-512 when the CPU has it.
macro_rules! multiversion {
    ($vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? = $body:path;) => {
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
                fn wide($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                if $crate::simd::avx512() {
                    // SAFETY: `avx512()` checked that this CPU has every enabled feature.
                    #[allow(unsafe_code)]
                    return unsafe { wide($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}
pub(crate) use multiversion;
