//! Int8 matrix products for the encoder's linear layers: `y = x @ W + b` with `W` quantized
//! once per output column (symmetric, int8) and each row of `x` quantized as it comes
//! (asymmetric, uint8: a scale and a zero point per row).
//!
//! Why: a forward pass is almost all linear layers (~21 MFLOP per token), and on a 2-core
//! machine f32 products through `gemm` (AVX2 FMA, 32 flops a cycle a core) are the bound.
//! AVX-512 VNNI's `vpdpbusd` does 64 uint8 × int8 multiply-adds an instruction, and int8
//! weights move a quarter of the bytes (10 MB instead of 42 MB a pass, which is what
//! short prompts wait on).
//!
//! The products are integers, so the result is exact and the same on every path: the VNNI,
//! AVX2 and portable kernels give bit-identical outputs (a test checks), and so the
//! embedding, and the head trained on it, do not depend on the machine. Only the rounding of
//! `x` and `W` to 8 bits differs from f32; `tests/model.rs` bounds what that does to the
//! embeddings.

use crate::simd::{multiversion, Tier};
use std::sync::atomic::{AtomicBool, Ordering};

/// Output columns per block: four 16-lane `i32` accumulators.
const NB: usize = 64;
/// Rows per micro-kernel call.
const MR: usize = 4;
/// Rows of an AMX pass (two tiles of 16): its quantized rows come padded to a multiple.
const AMX_ROWS: usize = 32;

/// A `(k, n)` weight matrix quantized per output column, packed for the kernels.
#[derive(Debug, Clone)]
pub struct QMatrix {
    /// Input width rounded up to a multiple of 4 (the padding weights are 0).
    kp: usize,
    k: usize,
    n: usize,
    /// `[n / NB][kp / 4][NB][4]`: for each block of 64 columns and each group of 4 inputs,
    /// 64 columns × 4 consecutive inputs, as `vpdpbusd` reads them.
    packed: Vec<i8>,
    /// Per column (padded to a multiple of NB): the dequantization scale ...
    scale: Vec<f32>,
    /// ... and the sum of the column's int8 weights (for the zero point of `x`).
    colsum: Vec<i32>,
}

impl QMatrix {
    /// Quantizes the row-major `(k, n)` matrix `w` (so `y = x @ w`).
    ///
    /// # Panics
    /// If `k` or `n` is 0, or `w` does not hold `k * n` values.
    pub fn new(w: &[f32], k: usize, n: usize) -> QMatrix {
        assert!(k > 0 && n > 0, "a ({k}, {n}) weight matrix has no products");
        assert_eq!(
            w.len(),
            k * n,
            "weight of {} values for ({k}, {n})",
            w.len()
        );
        let kp = k.div_ceil(4) * 4;
        let np = n.div_ceil(NB) * NB;
        let mut scale = vec![0f32; np];
        let mut colsum = vec![0i32; np];
        let mut packed = vec![0i8; np * kp];
        for j in 0..n {
            let amax = (0..k).map(|i| w[i * n + j].abs()).fold(0f32, f32::max);
            let s = if amax > 0.0 { amax / 127.0 } else { 1.0 };
            scale[j] = s;
            let (blk, c) = (j / NB, j % NB);
            for i in 0..k {
                let q = (w[i * n + j] / s).round_ties_even().clamp(-127.0, 127.0) as i8;
                colsum[j] += i32::from(q);
                packed[blk * kp * NB + (i / 4) * NB * 4 + c * 4 + i % 4] = q;
            }
        }
        QMatrix {
            kp,
            k,
            n,
            packed,
            scale,
            colsum,
        }
    }

    /// `(k, n)`: inputs and outputs per row.
    pub fn shape(&self) -> (usize, usize) {
        (self.k, self.n)
    }

    /// `x @ W + bias` for the `rows` rows of the row-major `x`, on the fastest kernel this CPU has.
    pub fn forward(&self, x: &[f32], rows: usize, bias: &[f32]) -> Vec<f32> {
        self.forward_on(kernel(), x, rows, bias)
    }

    /// `forward` on a chosen kernel (tests compare them).
    pub fn forward_on(&self, kernel: Kernel, x: &[f32], rows: usize, bias: &[f32]) -> Vec<f32> {
        let mut y = Vec::new();
        self.forward_into(kernel, x, rows, bias, &mut y);
        y
    }

    /// `forward_on` into `y`, resized to `rows × n`. Every element is written, so a buffer
    /// reused from an earlier call needs no clearing (the encoder reuses its buffers: fresh
    /// ones of a few MB come from `mmap`, and faulting their pages in cost more than a
    /// product's arithmetic here).
    pub fn forward_into(
        &self,
        kernel: Kernel,
        x: &[f32],
        rows: usize,
        bias: &[f32],
        y: &mut Vec<f32>,
    ) {
        assert_eq!(x.len(), rows * self.k, "input is not ({rows}, {})", self.k);
        assert_eq!(bias.len(), self.n, "bias is not {} wide", self.n);
        y.resize(rows * self.n, 0.0);
        if rows == 0 {
            return;
        }
        // Rows in chunks, two a thread (a chunk is taken by whichever thread is free); each
        // thread reads all the weights, one 64-column block at a time, and writes its own
        // rows of `y`. Chunks are whole row groups of the kernel (4 and 6 rows; AMX's 32).
        let group = if kernel == Kernel::Amx { AMX_ROWS } else { 12 };
        let per = rows.div_ceil(2 * crate::par::threads()).div_ceil(group) * group;
        let jobs: Vec<_> = y
            .chunks_mut(per * self.n)
            .zip(x.chunks(per * self.k))
            .collect();
        crate::par::for_each(jobs, |(y, x)| rows_into(self, kernel, x, bias, y));
    }
}

multiversion!(fn rows_into(q: &QMatrix, kernel: Kernel, x: &[f32], bias: &[f32], y: &mut [f32]) = QMatrix::rows_into_body;);

impl QMatrix {
    /// All output columns for the rows of `x` into `y`.
    #[inline(always)]
    fn rows_into_body(&self, kernel: Kernel, x: &[f32], bias: &[f32], y: &mut [f32]) {
        let pad_to = if kernel == Kernel::Amx { AMX_ROWS } else { 1 };
        let qx = QRows::new(x, self.k, self.kp, pad_to);
        #[cfg(target_arch = "x86_64")]
        if x86::fused(kernel, self, &qx, bias, y) {
            return;
        }
        let mut acc = [[0i32; NB]; MR];
        for b in 0..self.packed.len() / (self.kp * NB) {
            let w = &self.packed[b * self.kp * NB..(b + 1) * self.kp * NB];
            let cols = b * NB..((b + 1) * NB).min(self.n);
            let width = cols.len();
            let (scale, colsum, bias) = (
                &self.scale[cols.clone()],
                &self.colsum[cols.clone()],
                &bias[cols.clone()],
            );
            let mut r = 0;
            while r < qx.rows {
                let m = MR.min(qx.rows - r);
                let a = &qx.data[r * self.kp..(r + m) * self.kp];
                // (The SIMD kernels get here only on a CPU without their features.)
                portable_dot(a, m, w, self.kp, &mut acc);
                for (i, acc) in acc.iter().enumerate().take(m) {
                    let (sx, zp) = (qx.scale[r + i], qx.zero[r + i]);
                    let row = (r + i) * self.n;
                    let o = &mut y[row + cols.start..row + cols.end];
                    for j in 0..width {
                        let dot = acc[j] - zp * colsum[j];
                        o[j] = sx * scale[j] * dot as f32 + bias[j];
                    }
                }
                r += m;
            }
        }
    }
}

/// Rounds to the nearest integer, ties to even, for `0 <= x <= 2^22`: adding 1.5 × 2^23 leaves
/// no fraction bits (a plain add, where `round_ties_even` is a libm call on baseline x86-64).
#[inline(always)]
fn round_small(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0;
    (x + MAGIC) - MAGIC
}

/// [`round_small`] of `0 <= x <= 255` as a byte, read from the bits of `x + 1.5 × 2^23`
/// (whose low mantissa bits are the rounded integer): no saturating float-to-int conversion,
/// so a loop over it vectorizes.
#[inline(always)]
fn to_u8(x: f32) -> u8 {
    const MAGIC: f32 = 12_582_912.0;
    ((x + MAGIC).to_bits() & 0xFF) as u8
}

/// Lanes of [`range_with_zero`]: two AVX-512 registers for each end, so that consecutive
/// compares do not wait on each other.
const RANGE_LANES: usize = 32;

/// `v` if it is below `a`, else `a` (a NaN `v` is never below): one `vminps` a register.
#[inline(always)]
fn lower(a: f32, v: f32) -> f32 {
    if v < a {
        v
    } else {
        a
    }
}

/// `v` if it is above `a`, else `a`: one `vmaxps` a register.
#[inline(always)]
fn higher(a: f32, v: f32) -> f32 {
    if v > a {
        v
    } else {
        a
    }
}

/// The smallest and the largest of `x` and 0, in one pass over lanes that vectorize to plain
/// `vminps`/`vmaxps`, then the lanes in halves. Folds over `f32::min` and `f32::max` took two
/// passes that checked every lane for NaN, each ending in a chain of dependent scalar
/// compares; quantizing rows went from 7.3% to 5.4% of a 512-token pass on the VNNI path
/// (`perf`). The result is theirs: a NaN is skipped either way, and a -0.0 where they could
/// give 0.0 changes neither the scale nor the zero point [`QRows::new`] derives.
#[inline(always)]
fn range_with_zero(x: &[f32]) -> (f32, f32) {
    let mut lo = [0f32; RANGE_LANES];
    let mut hi = [0f32; RANGE_LANES];
    let mut chunks = x.chunks_exact(RANGE_LANES);
    for c in &mut chunks {
        for ((lo, hi), &v) in lo.iter_mut().zip(hi.iter_mut()).zip(c) {
            *lo = lower(*lo, v);
            *hi = higher(*hi, v);
        }
    }
    let mut half = RANGE_LANES;
    while half > 1 {
        half /= 2;
        for i in 0..half {
            lo[i] = lower(lo[i], lo[i + half]);
            hi[i] = higher(hi[i], hi[i + half]);
        }
    }
    chunks
        .remainder()
        .iter()
        .fold((lo[0], hi[0]), |(l, h), &v| (lower(l, v), higher(h, v)))
}

thread_local! {
    /// The quantized rows' buffer, kept between calls on each thread.
    static SPARE_BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Rows of `x` as uint8 with a per-row scale and zero point: `x ≈ scale * (q - zero)`.
struct QRows {
    rows: usize,
    data: Vec<u8>,
    scale: Vec<f32>,
    zero: Vec<i32>,
}

impl QRows {
    #[inline(always)]
    #[allow(clippy::manual_clamp)] // `clamp` keeps NaN apart and blocks vectorizing the loop
    fn new(x: &[f32], k: usize, kp: usize, pad_to: usize) -> QRows {
        let rows = x.len() / k;
        // This thread's buffer from its last call (its pages already mapped); every byte of
        // the `rows` rows is written below, the padding included. The rows after them, up
        // to a multiple of `pad_to`, keep whatever the buffer held: only a kernel that
        // computes whole passes and discards those rows' sums (AMX) reads them.
        let mut data = SPARE_BYTES.with_borrow_mut(std::mem::take);
        data.resize(rows.div_ceil(pad_to) * pad_to * kp, 0);
        let mut scale = Vec::with_capacity(rows);
        let mut zero = Vec::with_capacity(rows);
        for (row, q) in x.chunks_exact(k).zip(data.chunks_exact_mut(kp)) {
            // The range always includes 0, so 0 is exact (padding and ReLU-like zeros).
            let (lo, hi) = range_with_zero(row);
            let s = if hi > lo { (hi - lo) / 255.0 } else { 1.0 };
            let zp = round_small((-lo / s).clamp(0.0, 255.0));
            let inv = 1.0 / s;
            let (q, pad) = q.split_at_mut(k);
            for (q, &v) in q.iter_mut().zip(row) {
                *q = to_u8((v * inv + zp).max(0.0).min(255.0));
            }
            pad.fill(0);
            scale.push(s);
            zero.push(zp as i32);
        }
        QRows {
            rows,
            data,
            scale,
            zero,
        }
    }
}

impl Drop for QRows {
    /// Hands the buffer back to this thread for its next call.
    fn drop(&mut self) {
        let data = std::mem::take(&mut self.data);
        // Not during the thread's own teardown, when its locals may be gone.
        let _ = SPARE_BYTES.try_with(|s| *s.borrow_mut() = data);
    }
}

/// Which inner loop computes the integer products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// AMX-INT8 tiles (`tdpbusd`: 16 × 16 × 64 multiply-adds an instruction) with the
    /// epilogue on AVX-512; x86-64 Linux on a CPU with AMX (Sapphire Rapids and later Xeons)
    /// whose kernel grants the process the tile state.
    Amx,
    /// AVX-512 VNNI (`vpdpbusd`), x86-64 only.
    Vnni,
    /// AVX-VNNI: `vpdpbusd` on 256-bit registers (Intel desktop CPUs since Alder Lake, which
    /// have no AVX-512), x86-64 only; on the AVX2 tier.
    AvxVnni,
    /// AVX2 (`vpmaddwd` on bytes widened to 16 bits), x86-64 only.
    Avx2,
    /// Plain Rust; the same integers, on any CPU.
    Portable,
}

impl Kernel {
    /// The kernel that runs at `tier`.
    pub fn for_tier(tier: Tier) -> Kernel {
        match tier {
            Tier::Avx512 => Kernel::Vnni,
            Tier::Avx2 => Kernel::Avx2,
            Tier::Portable => Kernel::Portable,
        }
    }
}

/// The fastest kernel this CPU runs (at the [`crate::simd::tier`] in force): on the AVX-512
/// tier AMX where [`amx_available`], on the AVX2 tier AVX-VNNI where [`avx_vnni_available`]
/// (unless [`allow_extensions`] turned them off), else the tier's own.
pub fn kernel() -> Kernel {
    let ext = EXTENSIONS.load(Ordering::Relaxed);
    match Kernel::for_tier(crate::simd::tier()) {
        Kernel::Vnni if ext && amx_available() => Kernel::Amx,
        Kernel::Avx2 if ext && avx_vnni_available() => Kernel::AvxVnni,
        k => k,
    }
}

impl Kernel {
    /// Every kernel this CPU runs, slowest first (tests compare them all).
    pub fn available() -> Vec<Kernel> {
        let mut all = Vec::new();
        for tier in crate::simd::detected().and_below() {
            all.push(Kernel::for_tier(tier));
            match tier {
                Tier::Avx2 if avx_vnni_available() => all.push(Kernel::AvxVnni),
                Tier::Avx512 if amx_available() => all.push(Kernel::Amx),
                _ => {}
            }
        }
        all
    }
}

static EXTENSIONS: AtomicBool = AtomicBool::new(true);

/// Lets [`kernel`] pick AMX or AVX-VNNI where the CPU has them (the default), or only the
/// tier's own kernel (VNNI, AVX2): for benchmarks that measure both in one process, and with
/// [`crate::simd::cap_tier`] what a CPU without them runs. Every kernel gives the same bits.
pub fn allow_extensions(allowed: bool) {
    EXTENSIONS.store(allowed, Ordering::Relaxed);
}

/// Whether the AVX-VNNI kernel runs here: AVX2 and FMA (the AVX2 tier) and AVX-VNNI.
pub fn avx_vnni_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::simd::detected() >= Tier::Avx2 && std::is_x86_feature_detected!("avxvnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Whether the AMX kernel runs here: the CPU has AMX-TILE and AMX-INT8 besides the AVX-512
/// tier, and (Linux) the kernel granted this process the tile data state
/// (`arch_prctl(ARCH_REQ_XCOMP_PERM)`, asked once; without it the first tile instruction
/// would be a fatal `SIGILL`).
pub fn amx_available() -> bool {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        use std::sync::OnceLock;
        static AMX: OnceLock<bool> = OnceLock::new();
        *AMX.get_or_init(|| {
            crate::simd::detected() == crate::simd::Tier::Avx512 && x86::amx_permitted()
        })
    }
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    false
}

/// `acc[i][c] = Σ_k a[i][k] * w[k][c]` for `m` rows of `a` (stride `kp`) and one packed block.
///
/// Each group of 4 inputs is first laid out input-major (`[4][64]`, 16-bit), so the sums
/// run over 64 contiguous columns and vectorize; each product is exact in 16 bits
/// (|255 × 127| < 2^15), then widened: baseline x86-64 (SSE2) has a 16-bit vector multiply
/// but no 32-bit one.
fn portable_dot(a: &[u8], m: usize, w: &[i8], kp: usize, acc: &mut [[i32; NB]; MR]) {
    for acc in acc.iter_mut().take(m) {
        *acc = [0; NB];
    }
    let mut wt = [[0i16; NB]; 4];
    for (g, w4) in w.chunks_exact(NB * 4).take(kp / 4).enumerate() {
        for (c, w) in w4.chunks_exact(4).enumerate() {
            for k in 0..4 {
                wt[k][c] = i16::from(w[k]);
            }
        }
        for (i, acc) in acc.iter_mut().enumerate().take(m) {
            let x = &a[i * kp + g * 4..][..4];
            for (k, wt) in wt.iter().enumerate() {
                let x = i16::from(x[k]);
                for (acc, &w) in acc.iter_mut().zip(wt) {
                    *acc += i32::from(x * w);
                }
            }
        }
    }
}

// The one place the crate uses `unsafe`: SIMD intrinsics behind a runtime feature check.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use super::NB;
    use crate::simd::{detected, Tier};
    use std::arch::x86_64::*;

    /// `f::<m>(args)` for a tile's row count `m` (1 to 6; the tile kernels take it as a
    /// constant, so their accumulators stay in registers).
    macro_rules! by_rows {
        ($m:expr, $f:ident($($arg:expr),*)) => {
            match $m {
                6 => $f::<6>($($arg),*),
                5 => $f::<5>($($arg),*),
                4 => $f::<4>($($arg),*),
                3 => $f::<3>($($arg),*),
                2 => $f::<2>($($arg),*),
                _ => $f::<1>($($arg),*),
            }
        };
    }

    /// Rows per AVX2 tile: 6 rows × 8 columns is 12 accumulators (two lanes a column), plus
    /// 2 registers of widened weights and a broadcast (AVX2 has 16).
    const AR: usize = 6;

    /// All of `y = dequantize(qx @ W) + bias` on `kernel`'s fused path: the products of a
    /// tile in registers, the per-row and per-column scaling done there as each tile finishes
    /// (the same operations, in the same order, as the generic epilogue, so the bits are
    /// those of every other kernel). Returns false, having done nothing, for the portable
    /// kernel or on a CPU without the kernel's features.
    pub fn fused(
        kernel: super::Kernel,
        q: &super::QMatrix,
        qx: &super::QRows,
        bias: &[f32],
        y: &mut [f32],
    ) -> bool {
        check(q, qx, bias, y);
        match kernel {
            // SAFETY: `amx_available` checked the CPU (AVX-512 included) and the OS's grant;
            // the lengths are checked just above.
            #[cfg(target_os = "linux")]
            super::Kernel::Amx if super::amx_available() => unsafe {
                if q.kp.is_multiple_of(amx::K) {
                    amx::rows_into(q, qx, bias, y)
                } else {
                    rows_into(q, qx, bias, y)
                }
            },
            // SAFETY: the features were detected and the lengths checked just above.
            super::Kernel::Vnni | super::Kernel::Amx if detected() == Tier::Avx512 => unsafe {
                rows_into(q, qx, bias, y)
            },
            // SAFETY: as above.
            super::Kernel::Avx2 if detected() >= Tier::Avx2 => unsafe {
                rows_into_avx2(q, qx, bias, y)
            },
            // SAFETY: `avx_vnni_available` checked AVX2 and AVX-VNNI; lengths as above.
            super::Kernel::AvxVnni if super::avx_vnni_available() => unsafe {
                rows_into_avx_vnni(q, qx, bias, y)
            },
            _ => return false,
        }
        true
    }

    /// The lengths every fused kernel relies on.
    fn check(q: &super::QMatrix, qx: &super::QRows, bias: &[f32], y: &[f32]) {
        assert!(
            qx.data.len() >= qx.rows * q.kp
                && qx.scale.len() >= qx.rows
                && qx.zero.len() >= qx.rows
                && bias.len() == q.n
                && y.len() >= qx.rows * q.n
                && q.packed.len() == q.scale.len() * q.kp
                && q.colsum.len() == q.scale.len()
                && q.scale.len().is_multiple_of(NB)
                && q.kp.is_multiple_of(4)
        );
    }

    /// Per tile of up to 6 rows, per 64-column block, per 8 columns: the integer products
    /// over all inputs in registers, then the epilogue.
    ///
    /// A tile's rows are first widened to 16 bits and interleaved by groups of 4 inputs
    /// (`[kp / 4][M][4]`), so each broadcast is one load at a fixed offset. Tiles run in
    /// the outer loop, so that is done once per tile, and each tile streams all the weights
    /// (at most 590 KB here) from L2.
    ///
    /// # Safety
    /// AVX2; the lengths of [`check`].
    #[target_feature(enable = "avx2")]
    unsafe fn rows_into_avx2(q: &super::QMatrix, qx: &super::QRows, bias: &[f32], y: &mut [f32]) {
        let (kp, n) = (q.kp, q.n);
        let mut panel = vec![0i16; AR * kp];
        let mut r = 0;
        while r < qx.rows {
            let m = AR.min(qx.rows - r);
            for (i, row) in qx.data[r * kp..(r + m) * kp].chunks_exact(kp).enumerate() {
                for (g, x4) in row.chunks_exact(4).enumerate() {
                    for (e, &x) in x4.iter().enumerate() {
                        panel[(g * m + i) * 4 + e] = i16::from(x);
                    }
                }
            }
            for b in 0..q.scale.len() / NB {
                let w = &q.packed[b * kp * NB..(b + 1) * kp * NB];
                let c0 = b * NB;
                let width = NB.min(n - c0);
                for cc in 0..width.div_ceil(8) {
                    let col = c0 + cc * 8;
                    let t = Tile::new(q, qx, bias, r..r + m, col, 8);
                    let out = &mut y[r * n + col..];
                    // SAFETY: AVX2 was detected by the caller; `tile8` checks the lengths.
                    unsafe { by_rows!(m, tile8(&panel, w, cc, kp, &t, out, n)) }
                }
            }
            r += m;
        }
    }

    /// `M` rows × columns `8 cc..8 cc + 8` of one packed block, from products to finished
    /// outputs (`a` is the rows' panel, `[kp / 4][M][4]`; `out` starts at the tile's first
    /// output, and rows are `n` apart).
    ///
    /// Per group of 4 inputs, the 32 weight bytes of the 8 columns widen to two registers
    /// of 16-bit values (4 columns × 4 inputs each, as packed), each row's 4 activations are
    /// broadcast, and `vpmaddwd` leaves a column's sum in two adjacent 32-bit lanes. Exact:
    /// |255 × 127| × 2 fits 32 bits with room to spare, and the epilogue is that of every
    /// other kernel.
    ///
    /// # Safety
    /// AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn tile8<const M: usize>(
        a: &[i16],
        w: &[i8],
        cc: usize,
        kp: usize,
        t: &Tile<'_>,
        out: &mut [f32],
        n: usize,
    ) {
        t.check(M, 8, out, n);
        assert!(a.len() >= M * kp && w.len() >= kp * NB && cc < NB / 8);
        let mut c = [[_mm256_setzero_si256(); 2]; M];
        let wp = w.as_ptr().wrapping_add(cc * 32);
        let ap = a.as_ptr();
        for g in 0..kp / 4 {
            // SAFETY: g * 4 < kp: the 32 bytes at `cc * 32` of group g's 256 are inside `w`,
            // and the M rows' 4 values of group g inside the panel `a`.
            unsafe {
                let wg = wp.add(g * NB * 4);
                let w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(wg.cast()));
                let w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(wg.add(16).cast()));
                for (i, c) in c.iter_mut().enumerate() {
                    let x =
                        _mm256_set1_epi64x(ap.add((g * M + i) * 4).cast::<i64>().read_unaligned());
                    c[0] = _mm256_add_epi32(c[0], _mm256_madd_epi16(x, w0));
                    c[1] = _mm256_add_epi32(c[1], _mm256_madd_epi16(x, w1));
                }
            }
        }
        // SAFETY: AVX2 (this function's); `cols8` and `finish8` read and write only the
        // tile's `width` columns (through a copy when fewer than 8).
        unsafe {
            let cols = cols8(t.colsum, t.scale, t.bias);
            for (i, c) in c.iter().enumerate() {
                // Lanes (2j, 2j + 1) hold column j: `hadd` pairs them as columns
                // [0 1 4 5 | 2 3 6 7], and the 64-bit permute puts them in order.
                let acc = _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_hadd_epi32(c[0], c[1]));
                finish8(acc, t.zp[i], t.sx[i], &cols, &mut out[i * n..]);
            }
        }
    }

    /// The per-column operands of 8 columns (`bias` holds those of them that exist).
    struct Cols8 {
        colsum: __m256i,
        scale: __m256,
        bias: __m256,
        width: usize,
    }

    /// [`Cols8`] from the first 8 entries of `colsum` and `scale` and the `bias` of the
    /// columns that exist (1 to 8).
    ///
    /// # Safety
    /// AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn cols8(colsum: &[i32], scale: &[f32], bias: &[f32]) -> Cols8 {
        let width = bias.len();
        assert!(colsum.len() >= 8 && scale.len() >= 8 && (1..=8).contains(&width));
        let mut bias8 = [0f32; 8];
        bias8[..width].copy_from_slice(bias);
        // SAFETY: 8 entries of each (asserted; `bias8` is 8).
        unsafe {
            Cols8 {
                colsum: _mm256_loadu_si256(colsum.as_ptr().cast()),
                scale: _mm256_loadu_ps(scale.as_ptr()),
                bias: _mm256_loadu_ps(bias8.as_ptr()),
                width,
            }
        }
    }

    /// One row's 8 columns of the generic epilogue, `sx * scale[j] * (acc - zp * colsum[j])
    /// as f32 + bias[j]` (two multiplies and an add, never fused: every kernel's bits), into
    /// the first `cols.width` entries of `out`.
    ///
    /// # Safety
    /// AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn finish8(acc: __m256i, zp: i32, sx: f32, cols: &Cols8, out: &mut [f32]) {
        let zp = _mm256_set1_epi32(zp);
        let dot = _mm256_sub_epi32(acc, _mm256_mullo_epi32(zp, cols.colsum));
        let s = _mm256_mul_ps(_mm256_set1_ps(sx), cols.scale);
        let v = _mm256_add_ps(_mm256_mul_ps(s, _mm256_cvtepi32_ps(dot)), cols.bias);
        if cols.width == 8 && out.len() >= 8 {
            // SAFETY: 8 floats into `out`, which holds them.
            unsafe { _mm256_storeu_ps(out.as_mut_ptr(), v) };
            return;
        }
        let mut lanes = [0f32; 8];
        // SAFETY: 8 floats into `lanes`.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), v) };
        out[..cols.width].copy_from_slice(&lanes[..cols.width]);
    }

    /// Rows per AVX-VNNI tile: 6 rows × 16 columns is 12 accumulators, plus 2 registers of
    /// weights and a broadcast (AVX2 has 16).
    const VR: usize = 6;

    /// [`fused`] on AVX-VNNI: per 64-column block (its weights stay in cache while every row
    /// passes), per tile of up to 6 rows, per 16 columns, the products of all inputs in
    /// registers, then the epilogue. The weights are packed as `vpdpbusd` reads them, so
    /// nothing is widened or reordered (unlike the AVX2 kernel).
    ///
    /// # Safety
    /// AVX2, FMA and AVX-VNNI; the lengths of [`check`].
    #[target_feature(enable = "avx2,fma,avxvnni")]
    unsafe fn rows_into_avx_vnni(
        q: &super::QMatrix,
        qx: &super::QRows,
        bias: &[f32],
        y: &mut [f32],
    ) {
        let (kp, n) = (q.kp, q.n);
        for b in 0..q.scale.len() / NB {
            let w = &q.packed[b * kp * NB..(b + 1) * kp * NB];
            let c0 = b * NB;
            let width = NB.min(n - c0);
            let mut r = 0;
            while r < qx.rows {
                let m = VR.min(qx.rows - r);
                let a = &qx.data[r * kp..(r + m) * kp];
                for h in 0..width.div_ceil(16) {
                    let col = c0 + h * 16;
                    let t = Tile::new(q, qx, bias, r..r + m, col, 16);
                    let out = &mut y[r * n + col..];
                    // SAFETY: the caller checked the features; `tile16` checks the lengths.
                    unsafe { by_rows!(m, tile16(a, w, h, kp, &t, out, n)) }
                }
                r += m;
            }
        }
    }

    /// `M` rows × columns `16 h..16 h + 16` of one packed block, from products to finished
    /// outputs: per group of 4 inputs, two registers of weights (8 columns × 4 inputs each,
    /// as packed) and one broadcast per row feed `2 × M` `vpdpbusd`, whose lanes are the
    /// columns in order.
    ///
    /// # Safety
    /// AVX2, FMA and AVX-VNNI.
    #[target_feature(enable = "avx2,fma,avxvnni")]
    #[inline]
    unsafe fn tile16<const M: usize>(
        a: &[u8],
        w: &[i8],
        h: usize,
        kp: usize,
        t: &Tile<'_>,
        out: &mut [f32],
        n: usize,
    ) {
        let width = t.check(M, 16, out, n);
        assert!(a.len() >= M * kp && w.len() >= kp * NB && h < NB / 16);
        let mut c = [[_mm256_setzero_si256(); 2]; M];
        let wp = w.as_ptr().wrapping_add(h * 64);
        let ap = a.as_ptr();
        for g in 0..kp / 4 {
            // SAFETY: g * 4 < kp: the 64 bytes at `h * 64` of group g's 256 are inside `w`,
            // and each row's 4 bytes of group g inside `a`.
            unsafe {
                let wg = wp.add(g * NB * 4);
                let b0 = _mm256_loadu_si256(wg.cast());
                let b1 = _mm256_loadu_si256(wg.add(32).cast());
                for (i, c) in c.iter_mut().enumerate() {
                    let x =
                        _mm256_set1_epi32(ap.add(i * kp + g * 4).cast::<i32>().read_unaligned());
                    c[0] = _mm256_dpbusd_avx_epi32(c[0], x, b0);
                    c[1] = _mm256_dpbusd_avx_epi32(c[1], x, b1);
                }
            }
        }
        for half in 0..2 {
            let lanes = width.saturating_sub(half * 8).min(8);
            if lanes == 0 {
                break;
            }
            // SAFETY: AVX2 (this function's); 8 columns at 8 half of the 16-entry `colsum`
            // and `scale`, `lanes` of `bias`; row i's `lanes` outputs are inside `out`.
            unsafe {
                let cols = cols8(
                    &t.colsum[half * 8..],
                    &t.scale[half * 8..],
                    &t.bias[half * 8..half * 8 + lanes],
                );
                for (i, c) in c.iter().enumerate() {
                    finish8(
                        c[half],
                        t.zp[i],
                        t.sx[i],
                        &cols,
                        &mut out[i * n + half * 8..],
                    );
                }
            }
        }
    }

    /// Row groups of the fused kernel: 6 rows × 64 columns is 24 accumulators, plus 4
    /// registers of weights and a broadcast (AVX-512 has 32). Each 256-byte group of weights
    /// feeds 24 `vpdpbusd`, so a block too big for L1 (the 1536-input layer's 96 KB) streams
    /// from L2 at a rate it sustains.
    const FR: usize = 6;
    // `by_rows!` dispatches tiles of up to 6 rows.
    const _: () = assert!(AR <= 6 && FR <= 6 && VR <= 6);

    /// [`fused`] on VNNI.
    ///
    /// # Safety
    /// AVX-512 F/BW/VNNI; the lengths of [`check`].
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn rows_into(q: &super::QMatrix, qx: &super::QRows, bias: &[f32], y: &mut [f32]) {
        let (kp, n) = (q.kp, q.n);
        for b in 0..q.scale.len() / NB {
            let w = &q.packed[b * kp * NB..(b + 1) * kp * NB];
            let c0 = b * NB;
            let mut r = 0;
            while r < qx.rows {
                let m = FR.min(qx.rows - r);
                let a = &qx.data[r * kp..(r + m) * kp];
                let t = Tile::new(q, qx, bias, r..r + m, c0, NB);
                let out = &mut y[r * n + c0..];
                // SAFETY: as for `rows_into` (the caller checked the features and lengths).
                unsafe { by_rows!(m, tile(a, w, kp, &t, out, n)) }
                r += m;
            }
        }
    }

    /// The integer products of `M` rows of `a` and one packed 64-column block: per group of
    /// 4 inputs, 4 registers of weights and one broadcast per row feed `4 × M` `vpdpbusd`.
    ///
    /// # Safety
    /// AVX-512 F/BW/VNNI; `a` holds `M * kp` bytes and `w` `kp * NB`, `kp` a multiple of 4.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    #[inline]
    unsafe fn products<const M: usize>(a: &[u8], w: &[i8], kp: usize) -> [[__m512i; 4]; M] {
        let mut c = [[_mm512_setzero_si512(); 4]; M];
        let wp = w.as_ptr();
        let ap = a.as_ptr();
        for g in 0..kp / 4 {
            // SAFETY: g * 4 < kp, so each read is inside `w` (64 * 4 bytes a group) and `a`.
            unsafe {
                let wg = wp.add(g * NB * 4);
                let b = [
                    _mm512_loadu_si512(wg.cast()),
                    _mm512_loadu_si512(wg.add(64).cast()),
                    _mm512_loadu_si512(wg.add(128).cast()),
                    _mm512_loadu_si512(wg.add(192).cast()),
                ];
                for (i, c) in c.iter_mut().enumerate() {
                    let x =
                        _mm512_set1_epi32(ap.add(i * kp + g * 4).cast::<i32>().read_unaligned());
                    for (c, b) in c.iter_mut().zip(&b) {
                        *c = _mm512_dpbusd_epi32(*c, x, *b);
                    }
                }
            }
        }
        c
    }

    /// What a tile's epilogue scales by: per row (`sx`, `zp`) and per column of the block.
    struct Tile<'a> {
        sx: &'a [f32],
        zp: &'a [i32],
        colsum: &'a [i32],
        scale: &'a [f32],
        /// The block's real columns only (the last block may be narrower than 64).
        bias: &'a [f32],
    }

    impl<'a> Tile<'a> {
        /// Rows `rows` of `qx` by `cols` columns of `q` from `col` (the bias of those that
        /// exist).
        fn new(
            q: &'a super::QMatrix,
            qx: &'a super::QRows,
            bias: &'a [f32],
            rows: std::ops::Range<usize>,
            col: usize,
            cols: usize,
        ) -> Tile<'a> {
            Tile {
                sx: &qx.scale[rows.clone()],
                zp: &qx.zero[rows],
                colsum: &q.colsum[col..col + cols],
                scale: &q.scale[col..col + cols],
                bias: &bias[col..(col + cols).min(q.n)],
            }
        }

        /// Asserts what a kernel writing `m` rows of up to `cols` columns into `out` (rows
        /// `n` apart) relies on, and returns the tile's width (1 to `cols`).
        fn check(&self, m: usize, cols: usize, out: &[f32], n: usize) -> usize {
            let width = self.bias.len();
            assert!(
                m >= 1
                    && self.sx.len() >= m
                    && self.zp.len() >= m
                    && self.colsum.len() >= cols
                    && self.scale.len() >= cols
                    && (1..=cols).contains(&width)
                    && out.len() >= (m - 1) * n + width
            );
            width
        }
    }

    /// `M` rows × one 64-column block, from products to finished outputs. `out` starts at the
    /// tile's first output; rows are `n` apart.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    #[inline]
    unsafe fn tile<const M: usize>(
        a: &[u8],
        w: &[i8],
        kp: usize,
        t: &Tile<'_>,
        out: &mut [f32],
        n: usize,
    ) {
        t.check(M, NB, out, n);
        assert!(a.len() >= M * kp && w.len() >= kp * NB);
        let c = products::<M>(a, w, kp);
        let op = out.as_mut_ptr();
        for q in 0..4 {
            // SAFETY: AVX-512 F (this function's); `cols16` reads inside the tile's columns.
            let Some(cols) = (unsafe { cols16(t, q) }) else {
                break;
            };
            for (i, c) in c.iter().enumerate() {
                // SAFETY: row i's columns 16 q.. of `out`, in the mask's lanes (inside
                // `width`).
                unsafe { finish16(c[q], t.zp[i], t.sx[i], &cols, op.add(i * n + q * 16)) };
            }
        }
    }

    /// The per-column operands of 16 of a tile's columns (`16 h..16 h + 16`), and the mask of
    /// those inside its width; `None` when none is.
    struct Cols16 {
        colsum: __m512i,
        scale: __m512,
        bias: __m512,
        mask: __mmask16,
    }

    /// [`Cols16`] for columns `16 h..` of `t` (whose `colsum` and `scale` hold them all).
    ///
    /// # Safety
    /// AVX-512 F.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn cols16(t: &Tile<'_>, h: usize) -> Option<Cols16> {
        let lanes = t.bias.len().saturating_sub(h * 16).min(16);
        if lanes == 0 {
            return None;
        }
        assert!(t.colsum.len() >= h * 16 + 16 && t.scale.len() >= h * 16 + 16);
        let mask: __mmask16 = if lanes == 16 { !0 } else { (1u16 << lanes) - 1 };
        // SAFETY: 16 entries at 16 h of `colsum` and `scale` (asserted); `bias` only in the
        // mask's lanes, which are inside it.
        unsafe {
            Some(Cols16 {
                colsum: _mm512_loadu_si512(t.colsum.as_ptr().add(h * 16).cast()),
                scale: _mm512_loadu_ps(t.scale.as_ptr().add(h * 16)),
                bias: _mm512_maskz_loadu_ps(mask, t.bias.as_ptr().add(h * 16)),
                mask,
            })
        }
    }

    /// One row's 16 columns of the generic epilogue, `sx * scale[j] * (acc - zp * colsum[j])
    /// as f32 + bias[j]`: two multiplies and an add, never fused (every kernel's bits), stored
    /// at `out` in the mask's lanes.
    ///
    /// # Safety
    /// AVX-512 F; `out` writable in the mask's lanes.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn finish16(acc: __m512i, zp: i32, sx: f32, cols: &Cols16, out: *mut f32) {
        let zp = _mm512_set1_epi32(zp);
        let dot = _mm512_sub_epi32(acc, _mm512_mullo_epi32(zp, cols.colsum));
        let s = _mm512_mul_ps(_mm512_set1_ps(sx), cols.scale);
        let v = _mm512_add_ps(_mm512_mul_ps(s, _mm512_cvtepi32_ps(dot)), cols.bias);
        // SAFETY: the caller's.
        unsafe { _mm512_mask_storeu_ps(out, cols.mask, v) };
    }

    /// Whether the CPU has AMX-TILE and AMX-INT8 (CPUID leaf 7, EDX bits 24 and 25) and
    /// Linux grants this process the tile data state (`ARCH_REQ_XCOMP_PERM` for
    /// `XFEATURE_XTILEDATA`; a kernel before 5.16, or a hypervisor that hides the state,
    /// refuses).
    #[cfg(target_os = "linux")]
    pub fn amx_permitted() -> bool {
        let leaf7 = __cpuid_count(7, 0);
        if leaf7.edx >> 24 & 1 == 0 || leaf7.edx >> 25 & 1 == 0 {
            return false;
        }
        const SYS_ARCH_PRCTL: i64 = 158;
        const ARCH_REQ_XCOMP_PERM: i64 = 0x1023;
        const XFEATURE_XTILEDATA: i64 = 18;
        let ret: i64;
        // SAFETY: a system call that only changes which state the kernel lets this
        // process use; it reads and writes no memory of ours.
        unsafe {
            std::arch::asm!(
                "syscall",
                inlateout("rax") SYS_ARCH_PRCTL => ret,
                in("rdi") ARCH_REQ_XCOMP_PERM,
                in("rsi") XFEATURE_XTILEDATA,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        ret == 0
    }

    /// The AMX kernel: 32 rows × 32 columns at a time in four tile registers of `i32`
    /// (`tmm0`–`tmm3`), from two tiles of 16 activation rows × 64 bytes (`tmm4`, `tmm5`) and
    /// two of 16 groups of 4 inputs × 16 columns (`tmm6`, `tmm7`). The packed weights are
    /// already the layout `tdpbusd` reads (`[kp / 4][64][4]` per block: a tile is 16
    /// columns of 16 consecutive groups, 256 bytes a row apart), and the activations are
    /// read in place, `kp` bytes a row apart. The integer sums are those of every other
    /// kernel, and the epilogue does their operations in their order.
    ///
    /// Rust has no AMX intrinsics on stable, so the tile instructions are inline assembly;
    /// nothing else in the program uses the tile registers, which keep their values between
    /// the `asm!` blocks.
    #[cfg(target_os = "linux")]
    pub mod amx {
        use super::super::{QMatrix, QRows, NB};
        use super::Tile;
        use std::arch::asm;
        use std::arch::x86_64::*;

        /// Inputs per tile row (bytes of a `tdpbusd` step); `kp` must be a multiple.
        pub const K: usize = 64;
        /// Rows (and columns) of a pass: two tiles of 16.
        const R: usize = super::super::AMX_ROWS;

        /// The tile configuration: palette 1, eight tiles of 16 rows × 64 bytes.
        #[repr(C, align(64))]
        struct Config {
            palette: u8,
            start_row: u8,
            reserved: [u8; 14],
            colsb: [u16; 16],
            rows: [u8; 16],
        }

        /// Loads the configuration now and releases the tiles when dropped (also on a
        /// panic), so the thread's tile state is back to its initial (cheap to switch) state.
        struct Tiles;

        impl Tiles {
            /// # Safety
            /// AMX is available and permitted (`amx_available`).
            unsafe fn load() -> Tiles {
                let mut cfg = Config {
                    palette: 1,
                    start_row: 0,
                    reserved: [0; 14],
                    colsb: [0; 16],
                    rows: [0; 16],
                };
                for t in 0..8 {
                    cfg.colsb[t] = 64;
                    cfg.rows[t] = 16;
                }
                // SAFETY: a valid palette-1 configuration, 64 bytes, read only.
                unsafe {
                    asm!("ldtilecfg [{}]", in(reg) &raw const cfg, options(nostack, readonly))
                };
                Tiles
            }
        }

        impl Drop for Tiles {
            fn drop(&mut self) {
                // SAFETY: only made by `load`, so the CPU has AMX.
                unsafe { asm!("tilerelease", options(nostack, nomem)) };
            }
        }

        /// [`super::fused`] on AMX.
        ///
        /// # Safety
        /// AMX available and permitted (the AVX-512 tier included); the lengths of
        /// [`super::check`]; `q.kp` a multiple of [`K`]; `qx` padded to whole passes.
        #[target_feature(enable = "avx512f,avx512bw")]
        pub unsafe fn rows_into(q: &QMatrix, qx: &QRows, bias: &[f32], y: &mut [f32]) {
            let (kp, n) = (q.kp, q.n);
            assert!(
                kp.is_multiple_of(K)
                    && NB.is_multiple_of(R)
                    && qx.data.len() >= qx.rows.div_ceil(R) * R * kp
            );
            // SAFETY: the caller checked AMX.
            let _tiles = unsafe { Tiles::load() };
            let mut acc = Acc([0; R * R]);
            let mut r = 0;
            while r < qx.rows {
                let m = R.min(qx.rows - r);
                // A whole pass of rows; past a tail's `m`, the padding rows' sums are never
                // written out.
                let a = &qx.data[r * kp..(r + R) * kp];
                let mut c0 = 0;
                while c0 < n {
                    // SAFETY: `a` holds R rows of `kp`; the weights hold every column of
                    // the padded width, so 32 columns from `c0` (a multiple of 32, below
                    // `n`) are inside one 64-column block.
                    unsafe { products(a, kp, &q.packed, c0, &mut acc) };
                    let t = Tile::new(q, qx, bias, r..r + m, c0, R);
                    // SAFETY: AVX-512 F (the caller's tier); rows `r..r + m` of `y`.
                    unsafe { epilogue(&acc, &t, &mut y[r * n + c0..], n) };
                    c0 += R;
                }
                r += m;
            }
        }

        /// A pass's 32 × 32 sums, row-major, aligned for the tile stores.
        #[repr(C, align(64))]
        struct Acc([i32; R * R]);

        /// The sums of 32 rows of `a` (`kp` bytes apart) and columns `c0..c0 + 32` of the
        /// packed weights, into `acc`.
        ///
        /// # Safety
        /// Tiles configured by [`Tiles::load`]; `a` holds `32 * kp` bytes; `c0` a multiple
        /// of 32 inside the packed width; `kp` a multiple of [`K`].
        #[inline]
        unsafe fn products(a: &[u8], kp: usize, w: &[i8], c0: usize, acc: &mut Acc) {
            assert!(a.len() >= R * kp && w.len() >= (c0 / NB + 1) * kp * NB);
            // Column block, and the 16-column tile's offset in a group's 256 bytes.
            let wb = w[(c0 / NB) * kp * NB..]
                .as_ptr()
                .wrapping_add((c0 % NB) * 4);
            let ap = a.as_ptr();
            // SAFETY: tiles are configured; every load below stays inside `a` (rows
            // 0..32, bytes s*64..s*64+64 of each) and the block of `w` (groups
            // 16 s..16 s + 16, bytes (c0 % 64) * 4 .. + 128 of each 256).
            unsafe {
                asm!(
                    "tilezero tmm0",
                    "tilezero tmm1",
                    "tilezero tmm2",
                    "tilezero tmm3",
                    options(nostack, nomem)
                );
                for s in 0..kp / K {
                    if s + 1 < kp / K {
                        let nb = wb.add((s + 1) * 16 * NB * 4);
                        for g in 0..16 {
                            _mm_prefetch::<_MM_HINT_T0>(nb.add(g * NB * 4).cast());
                            _mm_prefetch::<_MM_HINT_T0>(nb.add(g * NB * 4 + 64).cast());
                        }
                    }
                    asm!(
                        "tileloadd tmm4, [{a0} + {sa}*1]",
                        "tileloadd tmm5, [{a1} + {sa}*1]",
                        "tileloadd tmm6, [{b0} + {sb}*1]",
                        "tileloadd tmm7, [{b1} + {sb}*1]",
                        "tdpbusd tmm0, tmm4, tmm6",
                        "tdpbusd tmm1, tmm4, tmm7",
                        "tdpbusd tmm2, tmm5, tmm6",
                        "tdpbusd tmm3, tmm5, tmm7",
                        a0 = in(reg) ap.add(s * K),
                        a1 = in(reg) ap.add(16 * kp + s * K),
                        b0 = in(reg) wb.add(s * 16 * NB * 4),
                        b1 = in(reg) wb.add(s * 16 * NB * 4 + 64),
                        sa = in(reg) kp,
                        sb = in(reg) NB * 4,
                        options(nostack, readonly)
                    );
                }
                let o = acc.0.as_mut_ptr();
                asm!(
                    "tilestored [{c0} + {so}*1], tmm0",
                    "tilestored [{c1} + {so}*1], tmm1",
                    "tilestored [{c2} + {so}*1], tmm2",
                    "tilestored [{c3} + {so}*1], tmm3",
                    c0 = in(reg) o,
                    c1 = in(reg) o.add(16),
                    c2 = in(reg) o.add(16 * R),
                    c3 = in(reg) o.add(16 * R + 16),
                    so = in(reg) R * 4,
                    options(nostack)
                );
            }
        }

        /// The AVX-512 kernel's epilogue over the first `t.sx.len()` rows and `t.bias.len()`
        /// columns of a pass: `sx * scale[j] * (acc - zp * colsum[j]) as f32 + bias[j]`,
        /// two multiplies and an add, never fused.
        ///
        /// # Safety
        /// AVX-512 F.
        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn epilogue(acc: &Acc, t: &Tile<'_>, out: &mut [f32], n: usize) {
            let m = t.sx.len();
            assert!(m <= R);
            t.check(m, R, out, n);
            let op = out.as_mut_ptr();
            for h in 0..R / 16 {
                // SAFETY: AVX-512 F (this function's); `cols16` reads inside the columns.
                let Some(cols) = (unsafe { super::cols16(t, h) }) else {
                    break;
                };
                for i in 0..m {
                    // SAFETY: 16 sums at 16 h of row i of `acc`; row i's columns 16 h.. of
                    // `out`, in the mask's lanes (inside `width`).
                    unsafe {
                        let c = _mm512_loadu_si512(acc.0.as_ptr().add(i * R + h * 16).cast());
                        super::finish16(c, t.zp[i], t.sx[i], &cols, op.add(i * n + h * 16));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    fn reference(x: &[f32], rows: usize, w: &[f32], k: usize, n: usize, b: &[f32]) -> Vec<f32> {
        let mut y = vec![0f32; rows * n];
        for r in 0..rows {
            for j in 0..n {
                y[r * n + j] = b[j] + (0..k).map(|i| x[r * k + i] * w[i * n + j]).sum::<f32>();
            }
        }
        y
    }

    #[test]
    fn the_one_pass_range_is_what_the_folds_gave() {
        let mut seed = 11;
        let folds = |x: &[f32]| {
            (
                x.iter().copied().fold(0f32, f32::min),
                x.iter().copied().fold(0f32, f32::max),
            )
        };
        for len in [0, 1, 5, 31, 32, 33, 64, 100, 384, 1536] {
            for shift in [-0.5f32, 0.0, 0.5, 2.0] {
                let mut x: Vec<f32> = (0..len).map(|_| lcg(&mut seed) + shift).collect();
                assert_eq!(range_with_zero(&x), folds(&x), "len {len}, shift {shift}");
                // A NaN, infinities and signed zeros anywhere: skipped or read the same.
                for (i, v) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.0]
                    .into_iter()
                    .enumerate()
                {
                    if len > i {
                        x[(i * 7919) % len] = v;
                        assert_eq!(range_with_zero(&x), folds(&x), "len {len}, with {v}");
                    }
                }
            }
        }
        assert_eq!(range_with_zero(&[f32::NAN; 40]), (0.0, 0.0));
        assert_eq!(range_with_zero(&[3.0, 1.0]), (0.0, 3.0));
        assert_eq!(range_with_zero(&[-3.0, -1.0]), (-3.0, 0.0));
    }

    #[test]
    fn int8_products_are_close_to_f32_and_identical_on_every_kernel() {
        let mut seed = 7;
        // Odd shapes: k not a multiple of 4, n not a multiple of 64 (nor of 8), and every
        // count of rows in a kernel's last tile (1 to 6).
        for (rows, k, n) in [
            (1, 3, 5),
            (2, 8, 9),
            (3, 12, 64),
            (4, 40, 72),
            (5, 38, 70),
            (7, 384, 128),
            (9, 36, 136),
            (18, 64, 1152),
            // AMX's shapes: whole 32-row passes and a tail, 32-column halves of a block.
            (70, 384, 136),
            (33, 128, 96),
            (64, 1536, 40),
        ] {
            let x: Vec<f32> = (0..rows * k).map(|_| lcg(&mut seed) * 3.0).collect();
            let w: Vec<f32> = (0..k * n).map(|_| lcg(&mut seed) * 0.1).collect();
            let b: Vec<f32> = (0..n).map(|_| lcg(&mut seed)).collect();
            let q = QMatrix::new(&w, k, n);
            let want = reference(&x, rows, &w, k, n, &b);
            let got = q.forward_on(Kernel::Portable, &x, rows, &b);
            let scale = want.iter().map(|v| v.abs()).fold(0f32, f32::max);
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                worst < 0.02 * scale,
                "({rows},{k},{n}): error {worst} of {scale}"
            );
            for kernel in Kernel::available() {
                assert_eq!(
                    q.forward_on(kernel, &x, rows, &b),
                    got,
                    "{kernel:?} ({rows},{k},{n})"
                );
            }
        }
    }

    #[test]
    fn the_fastest_kernel_is_picked_and_extensions_can_be_turned_off() {
        let all = Kernel::available();
        let tier = Kernel::for_tier(crate::simd::tier());
        // Extensions sit right after their tier's kernel in `available`.
        let want = match all.iter().position(|k| *k == tier).map(|i| all.get(i + 1)) {
            Some(Some(k @ (Kernel::Amx | Kernel::AvxVnni))) => *k,
            _ => tier,
        };
        assert_eq!(kernel(), want, "available: {all:?}");
        // Other tests may run meanwhile: every kernel gives the same bits, so switching is
        // harmless to them.
        allow_extensions(false);
        assert_eq!(kernel(), tier);
        allow_extensions(true);
        assert_eq!(kernel(), want);
        assert_eq!(all.contains(&Kernel::Amx), amx_available());
        assert_eq!(all.contains(&Kernel::AvxVnni), avx_vnni_available());
    }

    #[test]
    fn bytes_round_to_nearest_even() {
        for (x, want) in [
            (0.0, 0u8),
            (0.49, 0),
            (0.5, 0),
            (1.5, 2),
            (2.5, 2),
            (254.6, 255),
            (255.0, 255),
        ] {
            assert_eq!(to_u8(x), want, "{x}");
            assert_eq!(round_small(x), f32::from(want), "{x}");
        }
    }

    #[test]
    fn zeros_and_constant_rows_are_exact() {
        let w = vec![0.5f32; 8 * 3];
        let q = QMatrix::new(&w, 8, 3);
        let y = q.forward(&[0.0; 8], 1, &[1.0, 2.0, 3.0]);
        assert_eq!(y, vec![1.0, 2.0, 3.0]);
        let y = q.forward(&[2.0; 8], 1, &[0.0; 3]);
        assert!(y.iter().all(|v| (v - 8.0).abs() < 1e-4), "{y:?}");
    }
}
