//! The two products inside attention, for one query row: its scores against every key, and
//! the probability-weighted sum of the values. AVX-512 kernels where the CPU has it, else
//! plain loops (compiled for AVX2 where there is AVX2) that add in exactly the same order
//! (the same fused multiply-adds, lanes and four interleaved partial sums), so every tier
//! gives the same bits. Fused multiply-adds run two a cycle where a multiply and an add took
//! a cycle each; the plain loops' `mul_add` is one instruction with AVX2 and a library call
//! on CPUs without FMA (slow, but rounded the same).

use crate::simd::{multiversion, Tier};

const L: usize = 16;

/// `scores[j] = Σ_e q[e] · kt[e][j]` for `j < np`; `kt` is `(q.len(), np)` row-major and
/// `np` a multiple of 16.
pub fn scores(q: &[f32], kt: &[f32], np: usize, scores: &mut [f32]) {
    assert!(np.is_multiple_of(L) && kt.len() >= q.len() * np && scores.len() >= np);
    #[cfg(target_arch = "x86_64")]
    if crate::simd::tier() == Tier::Avx512 {
        // SAFETY: the features were detected and the lengths checked above.
        #[allow(unsafe_code)]
        unsafe {
            x86::scores(q, kt, np, scores)
        };
        return;
    }
    scores_plain(q, kt, np, scores);
}

/// Query rows [`scores_rows`] and [`weighted_sum_rows`] take at once: each block of keys or
/// values is loaded once for all of them instead of once per row (a head's `Kᵀ` and `V`
/// together outgrow L1 from ~200 tokens on, so per-row passes ran at L2 bandwidth).
pub const ROWS: usize = 4;

/// [`scores`] for up to [`ROWS`] query rows of the same length: row `r`'s scores go to
/// `out[r * np..][..np]`. Exactly the bits of [`scores`] row by row.
pub fn scores_rows(qs: &[&[f32]], kt: &[f32], np: usize, out: &mut [f32]) {
    let hd = qs.first().map_or(0, |q| q.len());
    assert!(
        qs.len() <= ROWS
            && qs.iter().all(|q| q.len() == hd)
            && np.is_multiple_of(L)
            && kt.len() >= hd * np
            && out.len() >= qs.len() * np
    );
    #[cfg(target_arch = "x86_64")]
    if qs.len() == ROWS {
        let qs = [qs[0], qs[1], qs[2], qs[3]];
        match crate::simd::tier() {
            // SAFETY: the features were detected and the lengths checked above.
            #[allow(unsafe_code)]
            Tier::Avx512 => return unsafe { x86::scores4(qs, kt, np, out) },
            // SAFETY: as above.
            #[allow(unsafe_code)]
            Tier::Avx2 => return unsafe { x86::scores4_avx2(qs, kt, np, out) },
            Tier::Portable => {}
        }
    }
    for (q, out) in qs.iter().zip(out.chunks_exact_mut(np)) {
        scores(q, kt, np, out);
    }
}

/// [`weighted_sum`] for two rows at once (`p` and `c` per row). Exactly the bits of
/// [`weighted_sum`] row by row.
pub fn weighted_sum_rows(
    p: [&[f32]; 2],
    v: &[f32],
    stride: usize,
    inv: [f32; 2],
    c: [&mut [f32]; 2],
) {
    let [c0, c1] = c;
    #[cfg(target_arch = "x86_64")]
    if crate::simd::tier() == Tier::Avx512
        && c0.len() == 2 * L
        && c1.len() == 2 * L
        && p[0].len() == p[1].len()
    {
        let n = p[0].len();
        assert!(n == 0 || v.len() >= (n - 1) * stride + 2 * L);
        // SAFETY: the features were detected and the lengths checked above.
        #[allow(unsafe_code)]
        unsafe {
            x86::weighted_sum2(p, v, stride, inv, [c0, c1])
        };
        return;
    }
    weighted_sum(p[0], v, stride, inv[0], c0);
    weighted_sum(p[1], v, stride, inv[1], c1);
}

multiversion!(fn scores_plain(q: &[f32], kt: &[f32], np: usize, scores: &mut [f32]) = scores_body;);

#[inline(always)]
fn scores_body(q: &[f32], kt: &[f32], np: usize, scores: &mut [f32]) {
    for (jb, out) in scores[..np].chunks_exact_mut(L).enumerate() {
        let mut a = [0f32; L];
        for (e, &q) in q.iter().enumerate() {
            let k = &kt[e * np + jb * L..][..L];
            for t in 0..L {
                a[t] = q.mul_add(k[t], a[t]);
            }
        }
        out.copy_from_slice(&a);
    }
}

/// `c[e] = inv · Σ_j p[j] · v[j · stride + e]` for `e < c.len()`.
pub fn weighted_sum(p: &[f32], v: &[f32], stride: usize, inv: f32, c: &mut [f32]) {
    let hd = c.len();
    let n = p.len();
    assert!(n == 0 || v.len() >= (n - 1) * stride + hd);
    let full = hd / L * L;
    weighted_sum_blocks(p, v, stride, inv, &mut c[..full]);
    // A width that is not a multiple of 16: the rest column by column.
    for (e, c) in c.iter_mut().enumerate().skip(full) {
        let mut acc = 0f32;
        for (j, &p) in p.iter().enumerate() {
            acc += p * v[j * stride + e];
        }
        *c = acc * inv;
    }
}

/// [`weighted_sum`] for a width that is a multiple of 16 (the caller checked the lengths).
fn weighted_sum_blocks(p: &[f32], v: &[f32], stride: usize, inv: f32, c: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::tier() == Tier::Avx512 {
        // SAFETY: the features were detected and the lengths checked by `weighted_sum`.
        #[allow(unsafe_code)]
        unsafe {
            x86::weighted_sum(p, v, stride, inv, c)
        };
        return;
    }
    weighted_sum_plain(p, v, stride, inv, c);
}

multiversion!(fn weighted_sum_plain(p: &[f32], v: &[f32], stride: usize, inv: f32, c: &mut [f32]) = weighted_sum_body;);

#[inline(always)]
fn weighted_sum_body(p: &[f32], v: &[f32], stride: usize, inv: f32, c: &mut [f32]) {
    for (cb, c) in c.chunks_exact_mut(L).enumerate() {
        let mut a = [[0f32; L]; 4];
        let mut quads = p.chunks_exact(4);
        let mut j = 0;
        for p4 in &mut quads {
            for (u, a) in a.iter_mut().enumerate() {
                let v = &v[(j + u) * stride + cb * L..][..L];
                for t in 0..L {
                    a[t] = p4[u].mul_add(v[t], a[t]);
                }
            }
            j += 4;
        }
        for &p in quads.remainder() {
            let v = &v[j * stride + cb * L..][..L];
            for t in 0..L {
                a[0][t] = p.mul_add(v[t], a[0][t]);
            }
            j += 1;
        }
        for t in 0..L {
            c[t] = ((a[0][t] + a[1][t]) + (a[2][t] + a[3][t])) * inv;
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use super::L;
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX-512 F; `kt` holds `q.len() * np` values, `scores` `np`, `np % 16 == 0`.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn scores(q: &[f32], kt: &[f32], np: usize, scores: &mut [f32]) {
        let (kp, sp) = (kt.as_ptr(), scores.as_mut_ptr());
        let mut jb = 0;
        // SAFETY (all blocks): jb + 16·u < np, e < q.len(): inside `kt` and `scores`.
        unsafe {
            while jb + 4 * L <= np {
                let mut a = [_mm512_setzero_ps(); 4];
                for (e, &q) in q.iter().enumerate() {
                    let qb = _mm512_set1_ps(q);
                    let k = kp.add(e * np + jb);
                    for (u, a) in a.iter_mut().enumerate() {
                        *a = _mm512_fmadd_ps(qb, _mm512_loadu_ps(k.add(u * L)), *a);
                    }
                }
                for (u, a) in a.iter().enumerate() {
                    _mm512_storeu_ps(sp.add(jb + u * L), *a);
                }
                jb += 4 * L;
            }
            while jb < np {
                let mut a = _mm512_setzero_ps();
                for (e, &q) in q.iter().enumerate() {
                    let k = _mm512_loadu_ps(kp.add(e * np + jb));
                    a = _mm512_fmadd_ps(_mm512_set1_ps(q), k, a);
                }
                _mm512_storeu_ps(sp.add(jb), a);
                jb += L;
            }
        }
    }

    /// [`scores`] for four rows: each key vector loaded once feeds all four (16 sums in
    /// registers). Each sum is the same chain of multiplies and adds as in `scores`.
    ///
    /// # Safety
    /// AVX-512 F; every `q` as long; `kt` holds `q[0].len() * np` values, `out` `4 * np`,
    /// `np % 16 == 0`.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn scores4(q: [&[f32]; 4], kt: &[f32], np: usize, out: &mut [f32]) {
        let hd = q[0].len();
        let (kp, op) = (kt.as_ptr(), out.as_mut_ptr());
        let mut jb = 0;
        // SAFETY (all blocks): jb + 16·u < np, e < hd, r < 4: inside `kt`, `q[r]`, `out`.
        unsafe {
            while jb + 4 * L <= np {
                let mut a = [[_mm512_setzero_ps(); 4]; 4];
                for e in 0..hd {
                    let k = kp.add(e * np + jb);
                    let kv = [
                        _mm512_loadu_ps(k),
                        _mm512_loadu_ps(k.add(L)),
                        _mm512_loadu_ps(k.add(2 * L)),
                        _mm512_loadu_ps(k.add(3 * L)),
                    ];
                    for (a, q) in a.iter_mut().zip(&q) {
                        let qb = _mm512_set1_ps(*q.get_unchecked(e));
                        for (a, k) in a.iter_mut().zip(&kv) {
                            *a = _mm512_fmadd_ps(qb, *k, *a);
                        }
                    }
                }
                for (r, a) in a.iter().enumerate() {
                    for (u, a) in a.iter().enumerate() {
                        _mm512_storeu_ps(op.add(r * np + jb + u * L), *a);
                    }
                }
                jb += 4 * L;
            }
            while jb < np {
                let mut a = [_mm512_setzero_ps(); 4];
                for e in 0..hd {
                    let k = _mm512_loadu_ps(kp.add(e * np + jb));
                    for (a, q) in a.iter_mut().zip(&q) {
                        *a = _mm512_fmadd_ps(_mm512_set1_ps(*q.get_unchecked(e)), k, *a);
                    }
                }
                for (r, a) in a.iter().enumerate() {
                    _mm512_storeu_ps(op.add(r * np + jb), *a);
                }
                jb += L;
            }
        }
    }

    /// [`scores4`] on AVX2: 16 keys at a time, two registers a row, so eight independent
    /// sums hide the fused multiply-add's latency (one row alone has two, and waited on it).
    /// Each sum is the same chain as in the plain loop.
    ///
    /// # Safety
    /// AVX2 and FMA; the lengths of [`scores4`].
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn scores4_avx2(q: [&[f32]; 4], kt: &[f32], np: usize, out: &mut [f32]) {
        let hd = q[0].len();
        let (kp, op) = (kt.as_ptr(), out.as_mut_ptr());
        let mut jb = 0;
        // SAFETY: jb + 16 <= np, e < hd, r < 4: inside `kt`, `q[r]` and `out`.
        unsafe {
            while jb < np {
                let mut a = [[_mm256_setzero_ps(); 2]; 4];
                for e in 0..hd {
                    let k = kp.add(e * np + jb);
                    let kv = [_mm256_loadu_ps(k), _mm256_loadu_ps(k.add(8))];
                    for (a, q) in a.iter_mut().zip(&q) {
                        let qb = _mm256_set1_ps(*q.get_unchecked(e));
                        for (a, k) in a.iter_mut().zip(&kv) {
                            *a = _mm256_fmadd_ps(qb, *k, *a);
                        }
                    }
                }
                for (r, a) in a.iter().enumerate() {
                    for (u, a) in a.iter().enumerate() {
                        _mm256_storeu_ps(op.add(r * np + jb + u * 8), *a);
                    }
                }
                jb += L;
            }
        }
    }

    /// [`weighted_sum`] for two rows 32 columns wide: each value vector loaded once feeds
    /// both rows; each column's sum is the same four chains as in `weighted_sum`.
    ///
    /// # Safety
    /// AVX-512 F; `c[r].len() == 32`; `p[0].len() == p[1].len()`; `v` holds row
    /// `j < p[0].len()` at `j * stride`, at least 32 wide.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn weighted_sum2(
        p: [&[f32]; 2],
        v: &[f32],
        stride: usize,
        inv: [f32; 2],
        c: [&mut [f32]; 2],
    ) {
        let n = p[0].len();
        let vp = v.as_ptr();
        // a[row][block][chain]
        let mut a = [[[_mm512_setzero_ps(); 4]; 2]; 2];
        let quads = n / 4 * 4;
        // SAFETY: rows j < n and 32 columns from `vp`, as the caller checked.
        unsafe {
            let mut j = 0;
            while j < quads {
                for u in 0..4 {
                    let row = vp.add((j + u) * stride);
                    let vv = [_mm512_loadu_ps(row), _mm512_loadu_ps(row.add(L))];
                    for (a, p) in a.iter_mut().zip(&p) {
                        let pu = _mm512_set1_ps(*p.get_unchecked(j + u));
                        for (a, v) in a.iter_mut().zip(&vv) {
                            a[u] = _mm512_fmadd_ps(pu, *v, a[u]);
                        }
                    }
                }
                j += 4;
            }
            while j < n {
                let row = vp.add(j * stride);
                let vv = [_mm512_loadu_ps(row), _mm512_loadu_ps(row.add(L))];
                for (a, p) in a.iter_mut().zip(&p) {
                    let pj = _mm512_set1_ps(*p.get_unchecked(j));
                    for (a, v) in a.iter_mut().zip(&vv) {
                        a[0] = _mm512_fmadd_ps(pj, *v, a[0]);
                    }
                }
                j += 1;
            }
            for ((a, c), inv) in a.iter().zip(c).zip(inv) {
                for (b, a) in a.iter().enumerate() {
                    let s = _mm512_add_ps(_mm512_add_ps(a[0], a[1]), _mm512_add_ps(a[2], a[3]));
                    _mm512_storeu_ps(
                        c.as_mut_ptr().add(b * L),
                        _mm512_mul_ps(s, _mm512_set1_ps(inv)),
                    );
                }
            }
        }
    }

    /// # Safety
    /// AVX-512 F; `c.len() % 16 == 0`; `v` holds row `j < p.len()` at `j * stride`, at
    /// least `c.len()` wide.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn weighted_sum(p: &[f32], v: &[f32], stride: usize, inv: f32, c: &mut [f32]) {
        // Two blocks of 16 columns at once where there are (eight independent sums: an add's
        // latency is hidden); each column's sum is the same four chains either way.
        let mut cb = 0;
        while cb < c.len() {
            let blocks = if cb + 2 * L <= c.len() { 2 } else { 1 };
            // SAFETY: columns cb + 16·blocks <= c.len(), rows j < p.len() (caller's bounds).
            unsafe { sum_blocks(p, v.as_ptr().add(cb), stride, inv, &mut c[cb..], blocks) };
            cb += blocks * L;
        }
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn sum_blocks(
        p: &[f32],
        vp: *const f32,
        stride: usize,
        inv: f32,
        c: &mut [f32],
        blocks: usize,
    ) {
        let mut a = [[_mm512_setzero_ps(); 4]; 2];
        let mut quads = p.chunks_exact(4);
        let mut j = 0;
        // SAFETY: rows j < p.len() and 16·blocks columns from `vp`, as the caller checked.
        unsafe {
            for p4 in &mut quads {
                for u in 0..4 {
                    let pu = _mm512_set1_ps(p4[u]);
                    let row = vp.add((j + u) * stride);
                    for (b, a) in a.iter_mut().enumerate().take(blocks) {
                        let v = _mm512_loadu_ps(row.add(b * L));
                        a[u] = _mm512_fmadd_ps(pu, v, a[u]);
                    }
                }
                j += 4;
            }
            for &p in quads.remainder() {
                let row = vp.add(j * stride);
                for (b, a) in a.iter_mut().enumerate().take(blocks) {
                    let v = _mm512_loadu_ps(row.add(b * L));
                    a[0] = _mm512_fmadd_ps(_mm512_set1_ps(p), v, a[0]);
                }
                j += 1;
            }
            for (b, a) in a.iter().enumerate().take(blocks) {
                let s = _mm512_add_ps(_mm512_add_ps(a[0], a[1]), _mm512_add_ps(a[2], a[3]));
                _mm512_storeu_ps(
                    c.as_mut_ptr().add(b * L),
                    _mm512_mul_ps(s, _mm512_set1_ps(inv)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The AVX-512 kernels against the plain loops on arbitrary sizes and values (NaN and
        /// infinities included): same bits (any NaN for a NaN: which operand's NaN payload
        /// survives an add depends on operand order), and no read outside the slices.
        #[test]
        fn kernels_match_on_any_input(
            (n, hd, data) in (1usize..80, 1usize..70).prop_flat_map(|(n, hd)| {
                let np = n.div_ceil(16) * 16;
                let v = prop_oneof![
                    8 => -2.0f32..2.0,
                    1 => prop::sample::select(vec![f32::NAN, f32::INFINITY, -1e30, 0.0]),
                ];
                (Just(n), Just(hd), prop::collection::vec(v, hd + hd * np + n * 3 * hd + n))
            })
        ) {
            let np = n.div_ceil(L) * L;
            let (q, rest) = data.split_at(hd);
            let (kt, rest) = rest.split_at(hd * np);
            let (v, p) = rest.split_at(n * 3 * hd);
            let mut got = vec![0f32; np];
            scores(q, kt, np, &mut got);
            let mut plain = vec![0f32; np];
            scores_body(q, kt, np, &mut plain);
            let same = |a: &f32, b: &f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
            prop_assert!(got.iter().zip(&plain).all(|(a, b)| same(a, b)));
            let mut c = vec![0f32; hd];
            weighted_sum(p, v, 3 * hd, 0.25, &mut c);
            let full = hd / L * L;
            let mut plain = vec![0f32; hd];
            weighted_sum_body(p, v, 3 * hd, 0.25, &mut plain[..full]);
            prop_assert!(c[..full].iter().zip(&plain[..full]).all(|(a, b)| same(a, b)));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Several rows at once give each row exactly what one row at a time gives.
        #[test]
        fn rows_at_once_match_one_at_a_time(
            (n, hd, rows, data) in (1usize..80, prop::sample::select(vec![8usize, 16, 20, 32]), 1usize..=ROWS)
                .prop_flat_map(|(n, hd, rows)| {
                    let np = n.div_ceil(16) * 16;
                    let v = prop_oneof![
                        8 => -2.0f32..2.0,
                        1 => prop::sample::select(vec![f32::NAN, f32::INFINITY, -1e30, 0.0]),
                    ];
                    (Just(n), Just(hd), Just(rows), prop::collection::vec(v, rows * hd + hd * np + n * 3 * hd + 2 * n))
                })
        ) {
            let np = n.div_ceil(L) * L;
            let (qs, rest) = data.split_at(rows * hd);
            let (kt, rest) = rest.split_at(hd * np);
            let (v, p) = rest.split_at(n * 3 * hd);
            let same = |a: &f32, b: &f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
            let qs: Vec<&[f32]> = qs.chunks_exact(hd).collect();
            let mut got = vec![0f32; rows * np];
            scores_rows(&qs, kt, np, &mut got);
            for (q, got) in qs.iter().zip(got.chunks_exact(np)) {
                let mut one = vec![0f32; np];
                scores(q, kt, np, &mut one);
                prop_assert!(got.iter().zip(&one).all(|(a, b)| same(a, b)));
            }
            // The AVX2 kernel also where the AVX-512 one runs above.
            #[cfg(target_arch = "x86_64")]
            if rows == ROWS && crate::simd::detected() >= Tier::Avx2 {
                let mut got = vec![0f32; rows * np];
                // SAFETY: AVX2 and FMA were detected; the lengths are those of `scores_rows`.
                #[allow(unsafe_code)]
                unsafe { x86::scores4_avx2([qs[0], qs[1], qs[2], qs[3]], kt, np, &mut got) };
                for (q, got) in qs.iter().zip(got.chunks_exact(np)) {
                    let mut one = vec![0f32; np];
                    scores_body(q, kt, np, &mut one);
                    prop_assert!(got.iter().zip(&one).all(|(a, b)| same(a, b)));
                }
            }
            let (p0, p1) = p.split_at(n);
            let mut c = vec![0f32; 2 * hd];
            let (c0, c1) = c.split_at_mut(hd);
            weighted_sum_rows([p0, p1], v, 3 * hd, [0.25, 2.0], [c0, c1]);
            let mut one = vec![0f32; 2 * hd];
            weighted_sum(p0, v, 3 * hd, 0.25, &mut one[..hd]);
            weighted_sum(p1, v, 3 * hd, 2.0, &mut one[hd..]);
            prop_assert!(c.iter().zip(&one).all(|(a, b)| same(a, b)));
        }
    }

    #[test]
    fn kernels_match_the_plain_loops_bit_for_bit() {
        let mut seed = 3u64;
        let mut r = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            ((seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        };
        for (n, hd) in [(1usize, 16usize), (7, 32), (70, 32), (256, 48), (130, 20)] {
            let np = n.div_ceil(L) * L;
            let q: Vec<f32> = (0..hd).map(|_| r()).collect();
            let kt: Vec<f32> = (0..hd * np).map(|_| r()).collect();
            let mut got = vec![0f32; np];
            scores(&q, &kt, np, &mut got);
            let mut plain = vec![0f32; np];
            scores_body(&q, &kt, np, &mut plain);
            assert_eq!(got, plain, "scores ({n}, {hd})");
            for j in 0..np {
                let want = (0..hd).fold(0f32, |a, e| q[e].mul_add(kt[e * np + j], a));
                assert_eq!(got[j], want, "score {j} of ({n}, {hd})");
            }
            let stride = 3 * hd;
            let v: Vec<f32> = (0..n * stride).map(|_| r()).collect();
            let p: Vec<f32> = (0..n).map(|_| r().abs()).collect();
            let mut c = vec![0f32; hd];
            weighted_sum(&p, &v, stride, 0.5, &mut c);
            let mut plain = vec![0f32; hd];
            let full = hd / L * L;
            weighted_sum_body(&p, &v, stride, 0.5, &mut plain[..full]);
            assert_eq!(&c[..full], &plain[..full], "({n}, {hd})");
            for e in 0..hd {
                let want: f32 = (0..n).map(|j| p[j] * v[j * stride + e]).sum::<f32>() * 0.5;
                assert!((c[e] - want).abs() < 1e-4, "column {e} of ({n}, {hd})");
            }
        }
    }
}
