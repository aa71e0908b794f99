//! Exact traffic shares (SPEC R5).
//!
//! | rule | items |
//! | --- | --- |
//! | R5 exact shares | [`Fraction`], [`Share`], [`TrafficSplit`] |

use std::cmp::Ordering;
use std::fmt;

use crate::names::ResourceName;

/// An exact non-negative fraction `numerator / denominator` in lowest terms,
/// with a positive denominator. `0` is `0/1`.
///
/// ```
/// use replica_router::Fraction;
/// let f = Fraction::new(6, 10).unwrap();
/// assert_eq!((f.numerator(), f.denominator()), (3, 5));
/// assert_eq!(f.to_string(), "3/5");
/// assert_eq!(f.percent(), 60.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fraction {
    numerator: u64,
    denominator: u64,
}

impl Fraction {
    /// Zero, `0/1`.
    pub const ZERO: Fraction = Fraction {
        numerator: 0,
        denominator: 1,
    };
    /// One, `1/1`.
    pub const ONE: Fraction = Fraction {
        numerator: 1,
        denominator: 1,
    };

    /// `numerator / denominator` in lowest terms; `None` when the denominator is 0.
    pub fn new(numerator: u64, denominator: u64) -> Option<Fraction> {
        if denominator == 0 {
            return None;
        }
        let g = gcd(numerator, denominator);
        Some(Fraction {
            numerator: numerator / g,
            denominator: denominator / g,
        })
    }

    /// The numerator, in lowest terms.
    pub fn numerator(self) -> u64 {
        self.numerator
    }

    /// The denominator, in lowest terms (never 0).
    pub fn denominator(self) -> u64 {
        self.denominator
    }

    /// The value in percent, rounded to the nearest `f64` (for display only;
    /// compare fractions exactly with `==` and `<`).
    pub fn percent(self) -> f64 {
        (self.numerator as f64 * 100.0) / self.denominator as f64
    }

    /// The value in percent with exactly three decimals, computed exactly
    /// from the numerator and denominator (no floating point).
    ///
    /// The exact value `100 * numerator / denominator` is rounded to the
    /// nearest thousandth; an exact tie (the value is exactly halfway, as
    /// for `1/1600` = 0.0625%) rounds half to even, which is what Rust's own
    /// float formatting does for ties it can see. The result equals
    /// `format!("{:.3}", self.percent())` except when the exact value is a
    /// tie that `f64` cannot represent (such as `1/200_000` = 0.0005%, here
    /// `0.000`; the float's representation error decided the other way),
    /// or when the float's rounding error moved `percent()` across a
    /// rounding boundary. The latter needs a huge denominator: for a share
    /// (at most 100%) with `d < 2^36`, a value that is not a tie lies at least
    /// `1 / (2000 d)` percent from any boundary, more than that error.
    fn percent_3dp(self) -> String {
        // 100_000 * (2^64 - 1) < 2^81: no overflow in u128.
        let scaled = 100_000 * u128::from(self.numerator);
        let denominator = u128::from(self.denominator);
        let mut thousandths = scaled / denominator;
        let twice_remainder = 2 * (scaled % denominator);
        if twice_remainder > denominator || (twice_remainder == denominator && thousandths % 2 == 1)
        {
            thousandths += 1;
        }
        format!("{}.{:03}", thousandths / 1000, thousandths % 1000)
    }
}

impl Ord for Fraction {
    fn cmp(&self, other: &Fraction) -> Ordering {
        (u128::from(self.numerator) * u128::from(other.denominator))
            .cmp(&(u128::from(other.numerator) * u128::from(self.denominator)))
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Fraction) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

pub(crate) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// One deployment's share of a router's traffic (SPEC R5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Share {
    /// The deployment.
    pub deployment: ResourceName,
    /// Its current replica count.
    pub replicas: u32,
    /// `replicas / total`, exact.
    pub fraction: Fraction,
}

/// A router's exact traffic split (SPEC R5): shares in the router's
/// deployment order, summing to exactly 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrafficSplit {
    /// The router.
    pub router: ResourceName,
    /// Total replicas over the router's deployments (never 0).
    pub total_replicas: u64,
    /// One share per deployment, in the router's order.
    pub shares: Vec<Share>,
}

impl TrafficSplit {
    /// The share of `deployment`, if the router lists it.
    pub fn share_of(&self, deployment: &ResourceName) -> Option<&Share> {
        self.shares.iter().find(|s| &s.deployment == deployment)
    }
}

impl fmt::Display for TrafficSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64| if n == 1 { "replica" } else { "replicas" };
        writeln!(
            f,
            "{} ({} {})",
            self.router,
            self.total_replicas,
            plural(self.total_replicas)
        )?;
        let names: Vec<String> = self
            .shares
            .iter()
            .map(|s| s.deployment.to_string())
            .collect();
        let width = names.iter().map(String::len).max().unwrap_or(0);
        for (s, name) in self.shares.iter().zip(&names) {
            let replicas = u64::from(s.replicas);
            writeln!(
                f,
                "  {name:<width$}  {replicas:>6} {:<8}  {:>7}%  ({})",
                plural(replicas),
                s.fraction.percent_3dp(),
                s.fraction
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fraction_reduces_and_orders() {
        assert_eq!(Fraction::new(0, 7).unwrap(), Fraction::ZERO);
        assert_eq!(Fraction::new(7, 7).unwrap(), Fraction::ONE);
        assert!(Fraction::new(1, 3).unwrap() < Fraction::new(1, 2).unwrap());
        assert!(Fraction::new(1, 0).is_none());
        let big = Fraction::new(u64::MAX, u64::MAX - 1).unwrap();
        assert!(big > Fraction::ONE);
    }

    /// Whether `100 * f` is exactly halfway between two thousandths.
    fn is_exact_tie(f: Fraction) -> bool {
        let scaled = 100_000 * u128::from(f.numerator());
        2 * (scaled % u128::from(f.denominator())) == u128::from(f.denominator())
    }

    /// Compares the exact formatter with the float one the `TrafficSplit`
    /// display used before (SPEC R5); returns the number of exact ties skipped.
    fn assert_matches_float(fractions: impl IntoIterator<Item = Fraction>) -> usize {
        let mut ties = 0;
        for f in fractions {
            if is_exact_tie(f) {
                ties += 1;
                continue;
            }
            assert_eq!(
                format!("{:>7}", f.percent_3dp()),
                format!("{:>7.3}", f.percent()),
                "{f}"
            );
        }
        ties
    }

    #[test]
    fn r5_percent_3dp_matches_float_formatting_small_denominators() {
        let all = (1..=400u64).flat_map(|d| (0..=2 * d).map(move |n| Fraction::new(n, d).unwrap()));
        let ties = assert_matches_float(all);
        // The only exact ties with d <= 400 are n/64 and n/320 in lowest
        // terms (e.g. 1/64 = 1.5625%), all exact in f64; see the tie test.
        assert!(ties > 0);
    }

    #[test]
    fn r5_percent_3dp_matches_float_formatting_large_values() {
        // A fixed 64-bit LCG (Knuth's MMIX constants): deterministic samples.
        let mut state: u64 = 0x5eed_0000_0000_0001;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state
        };
        let mut fractions = Vec::new();
        for bits in [20u32, 36, 53, 64] {
            for _ in 0..20_000 {
                let d = (next() >> (64 - bits)).max(1);
                let n = next() % d.saturating_add(1).max(1);
                fractions.push(Fraction::new(n, d).unwrap());
            }
        }
        fractions.extend([
            Fraction::ONE,
            Fraction::ZERO,
            Fraction::new(1, u64::MAX).unwrap(),
            Fraction::new(u64::MAX - 1, u64::MAX).unwrap(),
            Fraction::new(u64::MAX / 3, u64::MAX).unwrap(),
            Fraction::new(1 << 62, u64::MAX).unwrap(),
        ]);
        assert_matches_float(fractions);
    }

    #[test]
    fn r5_percent_3dp_ties_round_half_to_even() {
        let text = |n, d| Fraction::new(n, d).unwrap().percent_3dp();
        // Ties f64 represents exactly: identical to the float formatting,
        // which also rounds these half to even.
        for (n, d, expected) in [
            (1, 64, "1.562"),
            (3, 64, "4.688"),
            (1, 320, "0.312"),
            (3, 320, "0.938"),
            (1, 1600, "0.062"),
            (3, 1600, "0.188"),
        ] {
            let f = Fraction::new(n, d).unwrap();
            assert!(is_exact_tie(f), "{f}");
            assert_eq!(text(n, d), expected, "{f}");
            assert_eq!(format!("{:.3}", f.percent()), expected, "{f}");
        }
        // Ties f64 cannot represent: the float's representation error picked
        // a side; the exact formatter rounds half to even.
        assert!(is_exact_tie(Fraction::new(1, 200_000).unwrap()));
        assert_eq!(text(1, 200_000), "0.000");
        assert_eq!(
            format!("{:.3}", Fraction::new(1, 200_000).unwrap().percent()),
            "0.001"
        );
        assert_eq!(text(3, 200_000), "0.002");
        assert_eq!(text(5, 200_000), "0.002");
        // Not a tie, but 7e-23 percent below one, with a denominator f64
        // cannot hold: percent() is the float nearest 0.0005, which rounds
        // up; the exact value rounds down.
        let k = 1u64 << 45;
        let near = Fraction::new(k, 200_000 * k + 1).unwrap();
        assert!(!is_exact_tie(near));
        assert_eq!(near.percent_3dp(), "0.000");
        assert_eq!(format!("{:.3}", near.percent()), "0.001");
    }

    #[test]
    fn r5_traffic_split_display_has_exact_percents() {
        use crate::error::IdKind;
        use crate::names::{Id, ResourceKind};
        let account = Id::new("acct", IdKind::Account).unwrap();
        let name = |id: &str, kind| ResourceName::parse(id, kind, &account).unwrap();
        let share = |id: &str, replicas: u32, n, d| Share {
            deployment: name(id, ResourceKind::Deployment),
            replicas,
            fraction: Fraction::new(n, d).unwrap(),
        };
        let split = TrafficSplit {
            router: name("r", ResourceKind::Router),
            total_replicas: 1603,
            shares: vec![
                share("a", 1, 1, 1603),
                share("bb", 2, 2, 1603),
                share("c", 1600, 1600, 1603),
            ],
        };
        assert_eq!(
            split.to_string(),
            "accounts/acct/routers/r (1603 replicas)\n\
             \x20 accounts/acct/deployments/a        1 replica     0.062%  (1/1603)\n\
             \x20 accounts/acct/deployments/bb       2 replicas    0.125%  (2/1603)\n\
             \x20 accounts/acct/deployments/c     1600 replicas   99.813%  (1600/1603)\n"
        );
    }
}
