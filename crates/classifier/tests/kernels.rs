//! Property tests for the int8 products (the crate's `unsafe` SIMD code): on arbitrary
//! shapes and values (NaN, infinities and huge numbers included) no kernel panics or reads
//! out of bounds, every kernel this CPU has gives the same bits, and on finite inputs the
//! result stays close to the f32 product.

use proptest::prelude::*;
use warden_classifier::qgemm::{Kernel, QMatrix};

fn kernels() -> Vec<Kernel> {
    Kernel::available()
}

fn value() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => -4.0f32..4.0,
        1 => -1e6f32..1e6,
        1 => Just(0.0f32),
        1 => prop::sample::select(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::MAX, 1e-40]),
    ]
}

fn case() -> impl Strategy<Value = (usize, usize, usize, Vec<f32>, Vec<f32>, Vec<f32>)> {
    (0usize..40, 1usize..140, 1usize..150).prop_flat_map(|(rows, k, n)| {
        (
            Just(rows),
            Just(k),
            Just(n),
            prop::collection::vec(value(), rows * k),
            prop::collection::vec(value(), k * n),
            prop::collection::vec(-1.0f32..1.0, n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_kernel_gives_the_same_bits((rows, k, n, x, w, b) in case()) {
        let q = QMatrix::new(&w, k, n);
        let want = q.forward_on(Kernel::Portable, &x, rows, &b);
        prop_assert_eq!(want.len(), rows * n);
        for kernel in kernels() {
            let got = q.forward_on(kernel, &x, rows, &b);
            let same = got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits());
            prop_assert!(same, "{:?} differs", kernel);
        }
    }

    #[test]
    fn finite_inputs_stay_close_to_f32((rows, k, n) in (1usize..6, 1usize..70, 1usize..100), seed in any::<u64>()) {
        let mut s = seed | 1;
        let mut r = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        };
        let x: Vec<f32> = (0..rows * k).map(|_| r() * 3.0).collect();
        let w: Vec<f32> = (0..k * n).map(|_| r() * 0.2).collect();
        let b: Vec<f32> = (0..n).map(|_| r()).collect();
        let got = QMatrix::new(&w, k, n).forward(&x, rows, &b);
        for row in 0..rows {
            for j in 0..n {
                let exact: f32 = b[j] + (0..k).map(|i| x[row * k + i] * w[i * n + j]).sum::<f32>();
                // Rounding x to 1/255 of its range and w to 1/254 of its column's: the error
                // of a dot product of k terms grows like sqrt(k) times one step's size.
                let bound = 0.02 * (k as f32).sqrt() * 3.0 * 0.2 + 1e-4;
                prop_assert!((got[row * n + j] - exact).abs() <= bound,
                    "row {} col {}: {} vs {}", row, j, got[row * n + j], exact);
            }
        }
    }
}
