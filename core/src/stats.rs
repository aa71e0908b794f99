//! Goodness-of-fit helpers for checking picks against exact shares (SPEC S2).
//!
//! | rule | items |
//! | --- | --- |
//! | S2 checking picks against exact shares | the functions of this module |
//!
//! Used by the statistical tests and by examples that print an
//! observed-versus-expected table. This is statistics, not sampling: floats
//! are fine here, and nothing in this module influences a pick.
//!
//! ```
//! use replica_router::{Seed, WeightedSelector, stats};
//!
//! let weights = [3, 2];
//! let selector = WeightedSelector::new(&weights)?;
//! let observed = selector.counts(&mut Seed::from_u64(7).rng(), 100_000);
//! let expected = stats::expected_counts(100_000, &weights);
//! assert_eq!(expected, vec![60_000.0, 40_000.0]);
//! let fit = stats::chi_square(&observed, &weights).unwrap();
//! assert_eq!(fit.degrees_of_freedom, 1);
//! assert!(fit.p_value > 0.001);
//! # Ok::<(), replica_router::Error>(())
//! ```

/// The result of Pearson's chi-square goodness-of-fit test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    /// `sum((observed - expected)^2 / expected)` over the categories of
    /// non-zero weight; infinite if a zero-weight category was observed.
    pub statistic: f64,
    /// The number of categories of non-zero weight, minus one.
    pub degrees_of_freedom: u64,
    /// The probability of a statistic at least this large if the picks follow
    /// the weights exactly: `Q(df / 2, statistic / 2)`. Small values (say
    /// below 0.001) mean the picks do not fit.
    pub p_value: f64,
}

/// The expected count of each category in `n` picks: `n * w_i / W`, where
/// `W` is the sum of `weights`. Empty if `W` is 0.
///
/// # Performance
///
/// O(len).
#[must_use]
pub fn expected_counts(n: u64, weights: &[u32]) -> Vec<f64> {
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    if total == 0 {
        return Vec::new();
    }
    weights
        .iter()
        .map(|&w| n as f64 * f64::from(w) / total as f64)
        .collect()
}

/// Pearson's chi-square test of `observed` counts against the exact shares
/// `weights[i] / sum(weights)`.
///
/// With `N = sum(observed)`, the expected count of category `i` is
/// `N * w_i / W`. Categories of zero weight must have zero observations: they
/// are left out of the statistic and of the degrees of freedom, which are
/// (number of non-zero weights) - 1. If a zero-weight category was observed
/// at all, the fit is impossible and the result has an infinite statistic and
/// a p-value of exactly 0. With a single non-zero weight (0 degrees of
/// freedom) every count is where it must be: statistic 0, p-value 1.
///
/// Returns `None` if the lengths differ, the weights are empty or sum to 0,
/// or there are no observations.
///
/// # Performance
///
/// O(len) plus the p-value, which takes O(sqrt(df)) iterations
/// (accurate to about 1e-9 for `df` up to 200,000).
#[must_use]
pub fn chi_square(observed: &[u64], weights: &[u32]) -> Option<ChiSquare> {
    if observed.len() != weights.len() {
        return None;
    }
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    let n: u64 = observed.iter().sum();
    if total == 0 || n == 0 {
        return None;
    }
    let categories = weights.iter().filter(|&&w| w > 0).count() as u64;
    let degrees_of_freedom = categories - 1;
    let impossible = observed.iter().zip(weights).any(|(&o, &w)| w == 0 && o > 0);
    if impossible {
        return Some(ChiSquare {
            statistic: f64::INFINITY,
            degrees_of_freedom,
            p_value: 0.0,
        });
    }
    let statistic = observed
        .iter()
        .zip(weights)
        .filter(|&(_, &w)| w > 0)
        .map(|(&o, &w)| {
            let e = n as f64 * f64::from(w) / total as f64;
            let d = o as f64 - e;
            d * d / e
        })
        .sum();
    Some(ChiSquare {
        statistic,
        degrees_of_freedom,
        p_value: chi_square_p_value(statistic, degrees_of_freedom),
    })
}

/// The upper-tail probability of the chi-square distribution with `df`
/// degrees of freedom at `statistic`: `Q(df / 2, statistic / 2)`.
///
/// `df = 0` is the distribution concentrated at 0: 1 for `statistic <= 0`,
/// else 0. NaN gives NaN; infinity gives 0.
///
/// # Performance
///
/// O(sqrt(df)) iterations.
#[must_use]
pub fn chi_square_p_value(statistic: f64, df: u64) -> f64 {
    if statistic.is_nan() {
        return f64::NAN;
    }
    if df == 0 {
        return if statistic <= 0.0 { 1.0 } else { 0.0 };
    }
    gamma_q(df as f64 / 2.0, statistic / 2.0)
}

/// Relative accuracy the series and the continued fraction stop at.
const EPS: f64 = 1e-16;
/// Smallest magnitude the continued fraction lets a denominator reach.
const FPMIN: f64 = f64::MIN_POSITIVE / EPS;
/// Iteration cap; convergence needs O(sqrt(a)) iterations, a few thousand
/// for `a = 100_000`.
const MAX_ITER: u32 = 1_000_000;

/// The regularized upper incomplete gamma function `Q(a, x)` for `a >= 0.5`
/// (the only caller passes `a = df / 2` with `df >= 1`): the series for `P`
/// when `x < a + 1`, else Lentz's continued fraction for `Q` (Numerical
/// Recipes, 6.2).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    // ln(x^a e^-x / Gamma(a)), the common prefactor.
    let log_prefactor = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // P(a, x) = prefactor * sum_k x^k / (a (a+1) ... (a+k)).
        let mut ap = a;
        let mut term = 1.0 / a;
        let mut sum = term;
        for _ in 0..MAX_ITER {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        (1.0 - sum * log_prefactor.exp()).clamp(0.0, 1.0)
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / FPMIN;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=MAX_ITER {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < FPMIN {
                d = FPMIN;
            }
            c = b + an / c;
            if c.abs() < FPMIN {
                c = FPMIN;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < EPS {
                break;
            }
        }
        (log_prefactor.exp() * h).clamp(0.0, 1.0)
    }
}

/// `ln(Gamma(x))` for `x >= 0.5`: Lanczos' approximation (g = 7, 9 terms),
/// relative error around 1e-15.
///
/// Domain: `x >= 0.5` only. Its one caller, [`gamma_q`], passes `a = df / 2`
/// with `df >= 1` (`df = 0` is answered before), so `x` is never below 0.5.
/// There is deliberately no reflection formula for `x < 0.5`: it would be
/// dead code that links `sin` (and its argument reduction) into every build,
/// including the WebAssembly module. Below 0.5 the result is not accurate.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut sum = C[0];
    for (k, &c) in C.iter().enumerate().skip(1) {
        sum += c / (x + k as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-14));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-14
        ));
        assert!(close(ln_gamma(10.0), 362_880f64.ln(), 1e-12));
        // ln Gamma(50000) from Stirling's series with 3 terms.
        let x: f64 = 50_000.0;
        let stirling =
            (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x)
                - 1.0 / (360.0 * x.powi(3));
        assert!(
            close(ln_gamma(x), stirling, 1e-8),
            "{}",
            ln_gamma(x) - stirling
        );
    }

    #[test]
    fn ln_gamma_at_half_integers() {
        // Chi-square p-values call ln_gamma(df / 2) with df >= 1 (SPEC S2):
        // the smallest argument is 0.5, and odd df give half-integers.
        // Gamma(n + 1/2) = (2n)! sqrt(pi) / (4^n n!).
        let sqrt_pi_ln = std::f64::consts::PI.sqrt().ln();
        for (x, gamma_over_sqrt_pi) in [(1.5, 0.5), (2.5, 0.75), (3.5, 1.875), (5.5, 29.531_25)] {
            let expected = sqrt_pi_ln + f64::ln(gamma_over_sqrt_pi);
            assert!(close(ln_gamma(x), expected, 1e-13), "{x}");
        }
    }

    #[test]
    fn p_values_match_tables() {
        // Critical values from standard chi-square tables.
        assert!(close(chi_square_p_value(3.841, 1), 0.05, 1e-4));
        assert!(close(chi_square_p_value(6.635, 1), 0.01, 1e-4));
        assert!(close(chi_square_p_value(29.588, 10), 0.001, 1e-5));
        assert!(close(chi_square_p_value(18.307, 10), 0.05, 1e-4));
        assert!(close(chi_square_p_value(124.342, 100), 0.05, 1e-4));
        // df = 2 is exactly exp(-x / 2); both branches.
        for x in [0.1, 1.0, 2.5, 3.0, 10.0, 50.0] {
            assert!(
                close(chi_square_p_value(x, 2), (-x / 2.0).exp(), 1e-13),
                "{x}"
            );
        }
        // df = 1: Q = erfc(sqrt(x / 2)); at x = 1 that is 0.31731050786291415.
        assert!(close(
            chi_square_p_value(1.0, 1),
            0.317_310_507_862_914_15,
            1e-12
        ));
    }

    #[test]
    fn large_df_is_accurate() {
        // Near the median of chi2(k) (about k - 2/3) the tail is about 0.5;
        // Wilson-Hilferty gives the value at the mean: 0.5 - 0.000841 for k = 99,999.
        let p = chi_square_p_value(99_999.0, 99_999);
        assert!(close(p, 0.5, 0.01), "{p}");
        let p_mean = chi_square_p_value(99_999.0, 99_999);
        let p_median = chi_square_p_value(99_999.0 - 2.0 / 3.0, 99_999);
        assert!(close(p_median, 0.5, 1e-4), "{p_median}");
        assert!(p_mean < p_median);
        // Wilson-Hilferty: z = ((x/k)^(1/3) - (1 - 2/(9k))) / sqrt(2/(9k)).
        let k: f64 = 200_000.0;
        for z in [-2.0f64, 0.0, 1.0, 3.0] {
            let s = (2.0 / (9.0 * k)).sqrt();
            let x = k * (1.0 - 2.0 / (9.0 * k) + z * s).powi(3);
            let p = chi_square_p_value(x, 200_000);
            let normal_tail = match z as i32 {
                -2 => 0.977_249_868_051_820_8,
                0 => 0.5,
                1 => 0.158_655_253_931_457_05,
                _ => 0.001_349_898_031_630_094_6,
            };
            assert!(close(p, normal_tail, 2e-4), "z={z} p={p}");
        }
        // Far tails do not break.
        assert_eq!(chi_square_p_value(0.0, 200_000), 1.0);
        assert!(chi_square_p_value(400_000.0, 200_000) < 1e-300);
        assert!(chi_square_p_value(100_000.0, 200_000) > 1.0 - 1e-12);
    }

    #[test]
    fn chi_square_basic() {
        let r = chi_square(&[60, 40], &[3, 2]).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert_eq!(r.degrees_of_freedom, 1);
        assert_eq!(r.p_value, 1.0);
        let r = chi_square(&[70, 30], &[1, 1]).unwrap();
        assert!(close(r.statistic, 16.0, 1e-12));
    }

    #[test]
    fn zero_weights_are_excluded_or_fatal() {
        let r = chi_square(&[0, 50, 0, 50, 0], &[0, 5, 0, 5, 0]).unwrap();
        assert_eq!(r.degrees_of_freedom, 1);
        assert_eq!(r.statistic, 0.0);
        let r = chi_square(&[1, 50, 0, 49, 0], &[0, 5, 0, 5, 0]).unwrap();
        assert_eq!(r.statistic, f64::INFINITY);
        assert_eq!(r.p_value, 0.0);
        let r = chi_square(&[0, 0, 10], &[0, 0, 1]).unwrap();
        assert_eq!(
            (r.degrees_of_freedom, r.statistic, r.p_value),
            (0, 0.0, 1.0)
        );
    }

    #[test]
    fn degenerate_inputs_give_none() {
        assert_eq!(chi_square(&[], &[]), None);
        assert_eq!(chi_square(&[1], &[1, 2]), None);
        assert_eq!(chi_square(&[1, 2], &[0, 0]), None);
        assert_eq!(chi_square(&[0, 0], &[1, 2]), None);
        assert!(expected_counts(10, &[0]).is_empty());
    }
}
