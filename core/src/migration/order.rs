//! The order of scale moves within a step (SPEC M3).

use super::MAX_PLAN_ACTIONS;
use super::action::Side;
use crate::error::{Error, Result};

/// A scale move within a step: set `side` to this many replicas.
pub(crate) type Move = (Side, u32);

/// Orders a step's scale moves (SPEC M3): `up` rises from `u0` to `u1`,
/// `down` falls from `d0` to `d1`. Scale-ups first when the ceiling allows,
/// else scale-downs first when the floor allows, else alternating moves as
/// large as the ceiling and floor allow, starting with the direction that
/// needs fewer moves (ups on a tie). `Ok(None)` when no order works.
///
/// `total` counts from+to replicas (the ceiling's measure), `serving` those
/// in the router (the floor's); each move shifts both. A decrease must end at
/// or above `floor`; an increase at or below `ceiling`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn order_moves(
    up: Side,
    (u0, u1): (u32, u32),
    (d0, d1): (u32, u32),
    total: u64,
    serving: u64,
    floor: u64,
    ceiling: Option<u64>,
    budget: usize,
) -> Result<Option<Vec<Move>>> {
    let down = up.other();
    let cap = ceiling.unwrap_or(u64::MAX);
    let rise = u64::from(u1.saturating_sub(u0));
    let fall = u64::from(d0.saturating_sub(d1));
    if u1 < u0 || d1 > d0 {
        return Ok(None);
    }
    let fits_up = |t: u64| t <= cap;
    let fits_down = |s: u64, k: u64| s >= k + floor;
    let plan = match (rise, fall) {
        (0, 0) => Some(vec![]),
        (_, 0) => fits_up(total + rise).then(|| vec![(up, u1)]),
        (0, _) => fits_down(serving, fall).then(|| vec![(down, d1)]),
        _ if fits_up(total + rise) && fits_down(serving + rise, fall) => {
            Some(vec![(up, u1), (down, d1)])
        }
        _ if fits_down(serving, fall) && fits_up(total - fall + rise) => {
            Some(vec![(down, d1), (up, u1)])
        }
        _ => {
            let run = |start_up: bool| {
                rolling(
                    up,
                    (u0, u1),
                    (d0, d1),
                    total,
                    serving,
                    floor,
                    cap,
                    start_up,
                    budget,
                )
            };
            match (run(true), run(false)) {
                (Rolling::Done(a), Rolling::Done(b)) => Some(if b.len() < a.len() { b } else { a }),
                (Rolling::Done(a), _) | (_, Rolling::Done(a)) => Some(a),
                (Rolling::OverBudget, _) | (_, Rolling::OverBudget) => {
                    // Roughly two actions per `room` replicas moved.
                    let room = cap.saturating_sub(floor).max(1);
                    let needed = 2 * rise.max(fall).div_ceil(room);
                    return Err(Error::LimitExceeded {
                        what: "migration plan actions",
                        limit: MAX_PLAN_ACTIONS,
                        got: usize::try_from(needed)
                            .unwrap_or(usize::MAX)
                            .saturating_add(MAX_PLAN_ACTIONS - budget),
                    });
                }
                _ => None,
            }
        }
    };
    Ok(plan)
}

enum Rolling {
    Done(Vec<Move>),
    Stuck,
    OverBudget,
}

/// Alternating moves, each as large as the ceiling (ups) or floor (downs)
/// allows, like a rolling update's surge.
#[allow(clippy::too_many_arguments)]
fn rolling(
    up: Side,
    (mut u, u1): (u32, u32),
    (mut d, d1): (u32, u32),
    mut total: u64,
    mut serving: u64,
    floor: u64,
    cap: u64,
    start_up: bool,
    budget: usize,
) -> Rolling {
    let mut moves = Vec::new();
    let mut going_up = start_up;
    let mut idle = 0;
    while u < u1 || d > d1 {
        let k = if going_up {
            u64::from(u1 - u).min(cap.saturating_sub(total))
        } else {
            u64::from(d - d1).min(serving.saturating_sub(floor))
        };
        // k fits in u32: it is at most a difference of two u32 counts.
        let k32 = u32::try_from(k).unwrap_or(0);
        if k32 == 0 {
            idle += 1;
            if idle >= 2 {
                return Rolling::Stuck;
            }
        } else {
            idle = 0;
            if going_up {
                u += k32;
                total += k;
                serving += k;
                moves.push((up, u));
            } else {
                d -= k32;
                total -= k;
                serving -= k;
                moves.push((up.other(), d));
            }
            if moves.len() > budget {
                return Rolling::OverBudget;
            }
        }
        going_up = !going_up;
    }
    Rolling::Done(moves)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moves(u: (u32, u32), d: (u32, u32), floor: u64, ceiling: Option<u64>) -> Option<Vec<Move>> {
        let total = u64::from(u.0 + d.0);
        order_moves(Side::To, u, d, total, total, floor, ceiling, 1000).unwrap_or(None)
    }

    #[test]
    fn m3_scale_ups_first_when_the_ceiling_allows() {
        assert_eq!(
            moves((1, 4), (4, 1), 4, None),
            Some(vec![(Side::To, 4), (Side::From, 1)])
        );
    }

    #[test]
    fn m3_scale_downs_first_when_only_the_floor_allows() {
        assert_eq!(
            moves((0, 2), (6, 3), 3, Some(6)),
            Some(vec![(Side::From, 3), (Side::To, 2)])
        );
    }

    #[test]
    fn m3_rolling_update_when_neither_allows() {
        // 10 -> 5/5 with a surge of 2 over a floor of 10.
        let m = moves((0, 5), (10, 5), 10, Some(12));
        assert_eq!(
            m,
            Some(vec![
                (Side::To, 2),
                (Side::From, 8),
                (Side::To, 4),
                (Side::From, 6),
                (Side::To, 5),
                (Side::From, 5),
            ])
        );
        // Floor equal to the ceiling: stuck.
        assert_eq!(moves((0, 1), (3, 2), 3, Some(3)), None);
    }

    /// Fewest single moves (any size) from `(u0, d0)` to `(u1, d1)`: BFS.
    fn fewest(u: (u32, u32), d: (u32, u32), floor: u64, cap: u64) -> Option<usize> {
        use std::collections::{HashMap, VecDeque};
        let mut dist = HashMap::from([((u.0, d.0), 0usize)]);
        let mut queue = VecDeque::from([(u.0, d.0)]);
        while let Some((a, b)) = queue.pop_front() {
            let k = dist[&(a, b)];
            if (a, b) == (u.1, d.1) {
                return Some(k);
            }
            let ups = (a + 1..=u.1)
                .filter(|&x| u64::from(x + b) <= cap)
                .map(|x| (x, b));
            let downs = (d.1..b)
                .filter(|&y| u64::from(a + y) >= floor)
                .map(|y| (a, y));
            for next in ups.chain(downs).collect::<Vec<_>>() {
                dist.entry(next).or_insert_with(|| {
                    queue.push_back(next);
                    k + 1
                });
            }
        }
        None
    }

    #[test]
    fn m3_orders_use_the_fewest_actions() {
        let mut checked = 0;
        for u0 in 0..4u32 {
            for u1 in u0..7 {
                for d1 in 0..4u32 {
                    for d0 in d1..7 {
                        for floor in 0..8u64 {
                            for cap in floor..12 {
                                let total = u64::from(u0 + d0);
                                if total > cap {
                                    continue;
                                }
                                let got = moves((u0, u1), (d0, d1), floor, Some(cap));
                                let best = fewest((u0, u1), (d0, d1), floor, cap);
                                assert_eq!(
                                    got.as_ref().map(Vec::len),
                                    best,
                                    "{u0}->{u1} {d0}->{d1} floor {floor} cap {cap}: {got:?}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000);
    }
}
