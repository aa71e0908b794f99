//! Exact traffic shares (SPEC R5).

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
                "  {name:<width$}  {replicas:>6} {:<8}  {:>7.3}%  ({})",
                plural(replicas),
                s.fraction.percent(),
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
}
