//! The exact maximum-shift search (SPEC M4) at every size: which states can
//! still finish within `i` steps, as row intervals, one sweep per step.
//! `stepwise.rs` holds the proof sketch; this module is the mechanics.
//!
//! States are `(t, f)` (`to`, `from` replicas). The search runs on the
//! *mirrored* states `(x, y) = (f, t)`, whose share `x / (x + y)` is one
//! minus `t / (t + f)`: there a predecessor of a state is a successor by
//! the same rule (position `x` never falls, row `y` never rises, the share
//! rises by at most `m / 100`), so one routine ([`Grid::grow`]) serves.
//! Rows are the `to` counts, from the target down to the start's.
//!
//! The witness walk (`walk.rs`) asks a smaller question of one state: can
//! it finish within `r` steps ([`finishes_within`])? The same sweep
//! answers it either way round: backward as above, or forward on the
//! original states ([`Grid::forward`]: rows the `from` counts, which only
//! fall, positions the `to` counts, which only rise, the `to` share rising
//! by at most `m / 100`), from the state alone, dropping after each sweep
//! the states whose closed-form bound says they cannot finish in time.

/// Most rows (`to`'s target minus its start, plus one) the exact search
/// takes on; its memory grows with them (see `stepwise.rs`).
pub(crate) const EXACT_ROWS: u64 = crate::limits::MAX_EXACT_PLAN_ROWS;

/// Layers kept between checkpoints when the plan is rebuilt.
const CHECKPOINT: usize = 8;

/// A set of mirrored states: for each row (index `i`, row `y = top - i`),
/// sorted disjoint inclusive `x` intervals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Layer {
    off: Vec<usize>,
    iv: Vec<(u64, u64)>,
}

impl Layer {
    fn row(&self, i: usize) -> &[(u64, u64)] {
        &self.iv[self.off[i]..self.off[i + 1]]
    }

    /// The first row holding a state (the number of rows when none does).
    fn first_row(&self) -> usize {
        self.off
            .get(1..)
            .map_or(0, |ends| ends.partition_point(|&e| e == 0))
    }
}

/// The mirrored lattice: row `i` (`y = top - i`) holds `x` in `lo[i]..=hi[i]`
/// (empty when `lo > hi`).
pub(crate) struct Grid {
    top: u64,
    lo: Vec<u64>,
    hi: Vec<u64>,
    /// The maximum shift in points.
    m: u64,
}

/// `x / (x + y)` as `(num, den)`; `(0, 0)` is not a state.
fn share(x: u64, y: u64) -> (u128, u128) {
    (u128::from(x), u128::from(x) + u128::from(y))
}

/// The largest `x` with `x / (x + y) <= num / den` (`None`: no limit).
fn max_x(num: u128, den: u128, y: u64) -> Option<u128> {
    if num >= den {
        return None;
    }
    let top = u128::from(y) * num;
    // A 64-bit division where it fits: several times cheaper.
    Some(match (u64::try_from(top), u64::try_from(den - num)) {
        (Ok(t), Ok(d)) => u128::from(t / d),
        _ => top / (den - num),
    })
}

/// The largest `x` of row `y` within `m` points above `share(a, b)`.
fn reach(a: u64, b: u64, y: u64, m: u64) -> Option<u128> {
    let (num, den) = share(a, b);
    max_x(100 * num + u128::from(m) * den, 100 * den, y)
}

/// `min(hi, limit)`, `limit` `None` meaning none.
fn clamp(hi: u64, limit: Option<u128>) -> u64 {
    match limit {
        Some(l) => u64::try_from(l.min(u128::from(hi))).unwrap_or(hi),
        None => hi,
    }
}

impl Grid {
    /// The mirrored lattice of `(t, f)` states a plan from `(t0, f0)` can
    /// visit: `t0 <= t <= target`, `f <= f0`, `1 <= t + f <= ceiling`, and
    /// `t + f >= floor` once `f < f0`. `None` when it has more than
    /// [`EXACT_ROWS`] rows.
    pub(crate) fn new(
        (target, floor, ceiling): (u64, u64, Option<u64>),
        (t0, f0): (u64, u64),
        m: u32,
    ) -> Option<Grid> {
        let rows = target.checked_sub(t0)? + 1;
        if rows > EXACT_ROWS {
            return None;
        }
        let cap = ceiling.unwrap_or(u64::MAX);
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        for i in 0..rows {
            let t = target - i;
            // `f < f0` needs `f >= floor - t`; `f0` itself does not.
            let a = floor.saturating_sub(t).max(u64::from(t == 0));
            let (l, h) = match cap.checked_sub(t) {
                None => (1, 0),
                Some(room) => {
                    let b = f0.min(room);
                    if a <= b {
                        (a, b)
                    } else if b == f0 && (t > 0 || f0 > 0) {
                        (f0, f0)
                    } else {
                        (1, 0)
                    }
                }
            };
            lo.push(l);
            hi.push(h);
        }
        Some(Grid {
            top: target,
            lo,
            hi,
            m: u64::from(m),
        })
    }

    /// The lattice in original coordinates, for a search forward from
    /// `(t, f)`: row `y` is a `from` count (`f` down to 0), position `x` a
    /// `to` count, with the same rule as [`Grid::new`] (`f0` is the plan's
    /// starting `from` count, the one row exempt from the floor). A step
    /// forward raises `x`, never raises `y`, and raises the `to` share
    /// `x / (x + y)` by at most `m / 100`: [`Grid::grow`]'s rule, so it
    /// grows the states reachable from `(t, f)`. `None` when it has more
    /// than [`EXACT_ROWS`] rows.
    fn forward(
        (target, floor, ceiling): (u64, u64, Option<u64>),
        f0: u64,
        (t, f): (u64, u64),
        m: u32,
    ) -> Option<Grid> {
        if f >= EXACT_ROWS {
            return None;
        }
        let cap = ceiling.unwrap_or(u64::MAX);
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        for y in (0..=f).rev() {
            let mut l = t.max(u64::from(y == 0));
            if y < f0 {
                l = l.max(floor.saturating_sub(y));
            }
            let h = cap.checked_sub(y).map_or(0, |room| target.min(room));
            // An empty row has lo > hi.
            lo.push(if cap < y { 1 } else { l });
            hi.push(h);
        }
        Some(Grid {
            top: f,
            lo,
            hi,
            m: u64::from(m),
        })
    }

    fn rows(&self) -> usize {
        self.lo.len()
    }

    /// The mirrored states whose `to` share is at least `1 - m / 100`: the
    /// ones the final step can leave.
    pub(crate) fn end(&self) -> Layer {
        let mut out = Layer {
            off: vec![0],
            iv: Vec::new(),
        };
        for i in 0..self.rows() {
            let y = self.top - i as u64;
            // x / (x + y) <= m / 100.
            let h = clamp(
                self.hi[i],
                max_x(u128::from(self.m), 100, y).or(Some(u128::MAX)),
            );
            if self.lo[i] <= h {
                out.iv.push((self.lo[i], h));
            }
            out.off.push(out.iv.len());
        }
        out
    }

    /// `layer` and every mirrored state one step from it: each original
    /// state that can finish within one more step than `layer`'s. Only rows
    /// `y >= least` are computed (a row depends on the rows above it only);
    /// the rows below are left empty.
    pub(crate) fn grow(&self, layer: &Layer, least: u64) -> Layer {
        let mut out = Layer {
            off: Vec::with_capacity(self.rows() + 1),
            iv: Vec::with_capacity(layer.iv.len() + 16),
        };
        out.off.push(0);
        let mut frontier = Frontier::default();
        let mut row = Vec::new();
        // Rows above the layer's first state stay empty: nothing above them
        // reaches them.
        let first = layer.first_row();
        for i in 0..self.rows() {
            let y = self.top - i as u64;
            if y < least || i < first {
                out.off.push(out.iv.len());
                continue;
            }
            let (lo, hi) = (self.lo[i], self.hi[i]);
            row.clear();
            row.extend_from_slice(layer.row(i));
            if lo <= hi {
                // The same row: from `(b, y)` on to the largest `x` in reach.
                for &(_, b) in layer.row(i) {
                    let e = clamp(hi, reach(b, y, y, self.m));
                    if e > b {
                        row.push((b + 1, e));
                    }
                }
                // The rows above (`from` higher in the original).
                frontier.query(y, (lo, hi), self.m, &mut row);
            }
            merge_into(&mut row, &mut out.iv);
            out.off.push(out.iv.len());
            for &(a, b) in layer.row(i) {
                frontier.insert(a, b, y);
            }
        }
        out
    }

    /// Row index of `y` (`None`: outside the grid).
    fn index(&self, y: u64) -> Option<usize> {
        let i = usize::try_from(self.top.checked_sub(y)?).ok()?;
        (i < self.rows()).then_some(i)
    }
}

/// Sorts `row`, joins touching intervals, appends them to `out`.
fn merge_into(row: &mut [(u64, u64)], out: &mut Vec<(u64, u64)>) {
    row.sort_unstable();
    let first = out.len();
    for &(a, z) in row.iter() {
        let len = out.len();
        match out.last_mut() {
            Some(last) if len > first && a <= last.1.saturating_add(1) => {
                last.1 = last.1.max(z);
            }
            _ => out.push((a, z)),
        }
    }
}

/// The largest share among the states of the rows swept so far at or left
/// of each `x`: pieces `start -> (end, row)`. On `start..=end` the share is
/// `share(x, row)`, from `end + 1` to the next piece's start it stays at
/// `share(end, row)`; left of the first piece there is none. Shares rise
/// from piece to piece.
#[derive(Default)]
struct Frontier {
    /// `(start, end, row)`, by rising `start` (and share).
    pieces: Vec<(u64, u64, u64)>,
}

impl Frontier {
    /// Adds the states `a..=b` of row `g`, lower than every row so far: at
    /// the same `x` its share is at least theirs, so it wins on `a..=b`, and
    /// right of `b` every share up to `share(b, g)` is beaten.
    fn insert(&mut self, a: u64, b: u64, g: u64) {
        // A state's share beats `share(b, g)`: `x / (x + f) > b / (b + g)`.
        let beats =
            |x: u64, f: u64| g > 0 && u128::from(x) * u128::from(g) > u128::from(b) * u128::from(f);
        let p = &mut self.pieces;
        let i = p.partition_point(|q| q.0 < a);
        let mut rest: Option<(u64, u64, u64)> = None;
        if i > 0 && p[i - 1].1 >= a {
            let (_, e, f) = p[i - 1];
            p[i - 1].1 = a - 1;
            if e > b {
                rest = Some((b + 1, e, f));
            }
        }
        let j = i + p[i..].partition_point(|q| q.0 <= b);
        if j > i && p[j - 1].1 > b {
            rest = Some((b + 1, p[j - 1].1, p[j - 1].2));
        }
        // Right of `b`: drop what `share(b, g)` beats, trim the first piece
        // that beats it.
        let (keep, drop_end) = match rest {
            Some((s, e, f)) if beats(e, f) => (Some((s, e, f)), j),
            _ => match p[j..].iter().position(|&(_, e, f)| beats(e, f)) {
                Some(k) => (Some(p[j + k]), j + k + 1),
                None => (None, p.len()),
            },
        };
        let keep = keep.map(|(s, e, f)| {
            // The first `x` beating `share(b, g)`: `x > b f / g`.
            let first = (u128::from(b) * u128::from(f) / u128::from(g)) + 1;
            (u64::try_from(first).unwrap_or(u64::MAX).max(s), e, f)
        });
        p.splice(i..drop_end, std::iter::once((a, b, g)).chain(keep));
    }

    /// Appends to `out` the `x` of `lo..=hi` in row `r` (below every row
    /// so far) that some state so far reaches in one step: `share(x, r)` at
    /// most `m` points above the frontier at `x`.
    fn query(&self, r: u64, (lo, hi): (u64, u64), m: u64, out: &mut Vec<(u64, u64)>) {
        let p = &self.pieces;
        let first = p.partition_point(|q| q.0 <= lo).saturating_sub(1);
        for (k, &(s, e, f)) in p.iter().enumerate().skip(first) {
            if s > hi {
                break;
            }
            let next = p.get(k + 1).map_or(u64::MAX, |q| q.0);
            // The curve: share(x, r) - share(x, f) <= m / 100.
            let (a, z) = (s.max(lo), e.min(hi));
            if a <= z {
                gap_within(r, f, (a, z), m, out);
            }
            // The flat part: share(x, r) <= share(e, f) + m / 100.
            let a = e.saturating_add(1).max(lo);
            let z = clamp(next.saturating_sub(1).min(hi), reach(e, f, r, m));
            if a <= z {
                out.push((a, z));
            }
        }
    }
}

/// The `x` of `a..=z` with `share(x, r) - share(x, f) <= m / 100`, `f > r`:
/// the gap `x (f - r) / ((x + r)(x + f))` rises up to `sqrt(r f)` and falls
/// after, so a prefix of the rising side and a suffix of the falling one.
/// The ends are the roots of `m x² - (100 (f - r) - m (r + f)) x + m r f`,
/// estimated in floating point and settled by exact checks.
fn gap_within(r: u64, f: u64, (a, z): (u64, u64), m: u64, out: &mut Vec<(u64, u64)>) {
    let ok = |x: u64| {
        // In 64 bits where every count is below 2^27 (m < 2^7): the products
        // stay below 2^63.
        if (x | r | f) < 1 << 27 && m < 1 << 7 {
            return 100 * x * (f - r) <= m * (x + r) * (x + f);
        }
        let (x, r, f) = (u128::from(x), u128::from(r), u128::from(f));
        100 * x * (f - r) <= u128::from(m) * (x + r) * (x + f)
    };
    let (rf, mf) = (r as f64 * f as f64, m as f64);
    let b = 100.0 * (f - r) as f64 - mf * (r + f) as f64;
    let disc = b * b - 4.0 * mf * mf * rf;
    if b <= 0.0 || disc < 0.0 {
        // The gap never exceeds `m` (up to rounding: checked at the peak).
        let peak = rf.sqrt() as u64;
        if (peak.saturating_sub(1)..=peak.saturating_add(1)).all(ok) {
            out.push((a, z));
            return;
        }
    }
    let root = disc.max(0.0).sqrt();
    let (low, high) = ((b - root) / (2.0 * mf), (b + root) / (2.0 * mf));
    let peak = rf.sqrt() as u64;
    let rise_end = z.min(peak);
    if a <= rise_end && ok(a) {
        out.push((a, settle_last(a, rise_end, low, ok)));
    }
    let fall_start = a.max(peak.saturating_add(1));
    if fall_start <= z && ok(z) {
        // The first ok `x` is just above the larger root.
        let last_bad = settle_last(fall_start, z, high, |x| !ok(x));
        out.push((
            if ok(fall_start) {
                fall_start
            } else {
                last_bad + 1
            },
            z,
        ));
    }
}

/// The largest `x` in `a..=z` with `f(x)`, `f` holding on a prefix (with
/// `a` when it holds anywhere; then `a` itself is returned if nothing
/// does), starting from the estimate `guess`.
fn settle_last(a: u64, z: u64, guess: f64, f: impl Fn(u64) -> bool) -> u64 {
    let g = if guess.is_finite() && guess > 0.0 {
        (guess as u64).clamp(a, z)
    } else {
        a
    };
    let (lo, hi) = (g.saturating_sub(2).max(a), g.saturating_add(2).min(z));
    if f(lo) && ((hi == z && f(hi)) || !f(hi)) {
        return last_true(lo, hi, &f);
    }
    if f(a) { last_true(a, z, &f) } else { a }
}

/// The largest `x` in `a..=z` with `f(x)`, `f` holding on a prefix with `a`.
fn last_true(mut a: u64, mut z: u64, f: impl Fn(u64) -> bool) -> u64 {
    while a < z {
        let mid = a + (z - a).div_ceil(2);
        if f(mid) {
            a = mid;
        } else {
            z = mid - 1;
        }
    }
    a
}

/// Whether the state `(t, f)` of a plan starting with `f0` `from` replicas
/// can reach a state the final step can leave within `r` steps, by an exact
/// search from it: forward over its `from` rows, or backward (mirrored)
/// over the `to` rows above it, whichever has fewer rows. `work` is reduced
/// by the rows each sweep visits; `None` when it runs out first.
pub(crate) fn finishes_within(
    limits: (u64, u64, Option<u64>),
    f0: u64,
    (t, f): (u64, u64),
    r: usize,
    m: u32,
    work: &mut u64,
) -> Option<bool> {
    let forward_rows = f + 1;
    let backward_rows = limits.0.checked_sub(t)? + 1;
    decide(
        limits,
        f0,
        (t, f),
        r,
        m,
        forward_rows <= backward_rows,
        work,
    )
}

/// [`finishes_within`] in the direction asked: each layer charges `work`
/// the rows it sweeps; `None` when `work` runs out.
pub(crate) fn decide(
    limits: (u64, u64, Option<u64>),
    f0: u64,
    (t, f): (u64, u64),
    r: usize,
    m: u32,
    forward: bool,
    work: &mut u64,
) -> Option<bool> {
    let mut charge = |grid: &Grid, layer: &Layer| {
        let rows = (grid.rows() - layer.first_row()) as u64;
        *work = work.checked_sub(rows)?;
        Some(())
    };
    let reached = if forward {
        let grid = Grid::forward(limits, f0, (t, f), m)?;
        sweep(
            grid.single(t),
            r,
            |layer| grid.meets_end_forward(layer),
            |layer, i| {
                charge(&grid, layer)?;
                Some(grid.on_track(grid.grow(layer, 0), r - i))
            },
        )?
    } else {
        let grid = Grid::new(limits, (t, f0), m)?;
        let i = grid.index(t)?;
        sweep(
            grid.end(),
            r,
            |layer| layer.row(i).iter().any(|&(a, b)| a <= f && f <= b),
            |layer, _| {
                charge(&grid, layer)?;
                Some(grid.grow(layer, t))
            },
        )?
    };
    Some(reached.is_some())
}

/// The fewest steps before the final one from a start `(t, f)` whose first
/// step is bound by its own share (`to` serving, or at 0 replicas), by a
/// forward search over its `f + 1` rows: `Some(None)` when no plan exists,
/// `None` when the grid would have more than [`EXACT_ROWS`] rows. Each
/// step sweeps the rows once.
pub(crate) fn fewest_forward(
    limits: (u64, u64, Option<u64>),
    (t, f): (u64, u64),
    m: u32,
    max_steps: usize,
) -> Option<Option<usize>> {
    let grid = Grid::forward(limits, f, (t, f), m)?;
    sweep(
        grid.single(t),
        max_steps,
        |layer| grid.meets_end_forward(layer),
        |layer, _| Some(grid.grow(layer, 0)),
    )
}

/// Grows `layer` (`grow(layer, i)` for the `i`-th sweep) until `done`
/// holds for it: `Some(Some(i))` after `i` sweeps, `Some(None)` when it
/// stops changing first or `most` sweeps did not get there, `None` when
/// `grow` gives up. A layer that stops changing never changes again (each
/// sweep depends on the layer alone; a pruned one only shrinks after).
fn sweep(
    mut layer: Layer,
    most: usize,
    done: impl Fn(&Layer) -> bool,
    mut grow: impl FnMut(&Layer, usize) -> Option<Layer>,
) -> Option<Option<usize>> {
    for i in 0..=most {
        if done(&layer) {
            return Some(Some(i));
        }
        if i == most {
            break;
        }
        let next = grow(&layer, i)?;
        if next == layer {
            break;
        }
        layer = next;
    }
    Some(None)
}

impl Grid {
    /// On a [`Grid::forward`] grid: the layer holding only `(t, top)`.
    fn single(&self, t: u64) -> Layer {
        Layer {
            off: [0]
                .into_iter()
                .chain(std::iter::repeat_n(1, self.rows()))
                .collect(),
            iv: vec![(t, t)],
        }
    }

    /// On a [`Grid::forward`] grid: `layer` without the states that cannot
    /// finish within `left - 1` more steps by the closed-form bound (a `to`
    /// share below `1 - left · m / 100`). A state reached earlier, with
    /// more steps left, has already passed its successors on, so no path
    /// that finishes in time loses a state.
    fn on_track(&self, layer: Layer, left: usize) -> Layer {
        let room = u128::try_from(left)
            .unwrap_or(u128::MAX)
            .saturating_mul(u128::from(self.m));
        if room >= 100 {
            return layer;
        }
        // share >= a / 100 with a = 100 - room: x (100 - a) >= a y.
        let a = 100 - room;
        let mut out = Layer {
            off: Vec::with_capacity(layer.off.len()),
            iv: Vec::with_capacity(layer.iv.len()),
        };
        out.off.push(0);
        for i in 0..self.rows() {
            let y = u128::from(self.top - i as u64);
            let least = u64::try_from((a * y).div_ceil(room)).unwrap_or(u64::MAX);
            for &(lo, hi) in layer.row(i) {
                if hi >= least {
                    out.iv.push((lo.max(least), hi));
                }
            }
            out.off.push(out.iv.len());
        }
        out
    }

    /// On a [`Grid::forward`] grid: whether `layer` holds a state whose `to`
    /// share is at least `1 - m / 100` (`100 y <= m (x + y)`).
    fn meets_end_forward(&self, layer: &Layer) -> bool {
        (0..self.rows()).any(|i| {
            let y = u128::from(self.top - i as u64);
            layer
                .row(i)
                .last()
                .is_some_and(|&(_, b)| 100 * y <= u128::from(self.m) * (u128::from(b) + y))
        })
    }
}

/// One step from `(t, f)` with `to` share at most `num / den` after it: its
/// M4-best successor (the largest share, then fewer replicas, then more
/// `to`) among the original states `layer` holds (mirrored). `stay` admits
/// `(t, f)` itself.
pub(crate) fn best_step(
    grid: &Grid,
    layer: &Layer,
    (t, f): (u64, u64),
    (num, den): (u128, u128),
    stay: bool,
) -> Option<(u64, u64)> {
    let top = clamp(grid.top, max_x(num, den, f));
    let mut best: Option<(u64, u64)> = None;
    for u in t..=top {
        let Some(i) = grid.index(u) else { continue };
        // The fewest `from` replicas with u / (u + g) <= num / den.
        let least = if num >= den {
            0
        } else if num == 0 {
            if u == 0 { 0 } else { continue }
        } else {
            let need = u128::from(u) * (den - num);
            u64::try_from(need.div_ceil(num)).unwrap_or(u64::MAX)
        };
        for &(a, b) in layer.row(i) {
            let (lo, hi) = (a.max(least), b.min(f));
            if lo > hi || ((u, lo) == (t, f) && !stay) {
                continue;
            }
            let z = (u, lo);
            if best.is_none_or(|p| super::stepwise::m4_better(z, p)) {
                best = Some(z);
            }
            break;
        }
    }
    best
}

/// The exact plan: M4's among those with the fewest steps, from a start
/// whose share after a first step may be `first_cap` (see `stepwise.rs`).
/// `None`: no plan.
pub(crate) fn fewest(
    grid: &Grid,
    start: (u64, u64),
    first_cap: (u128, u128),
    stay: bool,
    max_steps: usize,
) -> Option<Vec<(u64, u64)>> {
    let mut layer = grid.end();
    let mut checkpoints = vec![layer.clone()];
    let mut i = 0usize;
    while best_step(grid, &layer, start, first_cap, stay).is_none() {
        let next = grid.grow(&layer, 0);
        if next == layer || i >= max_steps {
            return None;
        }
        layer = next;
        i += 1;
        if i.is_multiple_of(CHECKPOINT) {
            checkpoints.push(layer.clone());
        }
    }
    drop(layer);
    let k = i + 1;

    // Step j takes the M4-best successor that finishes within k - 1 - j.
    let mut plan = Vec::with_capacity(k);
    let mut cur = start;
    let mut block: Vec<Layer> = Vec::new();
    let mut block_at = usize::MAX;
    for j in 0..k {
        let need = k - 1 - j;
        let c = need / CHECKPOINT;
        if c != block_at {
            block.clear();
            // The plan's `to` count never falls: rows below it are not needed.
            let mut l = checkpoints[c].clone();
            let end = (c * CHECKPOINT + CHECKPOINT - 1).min(k - 1);
            for _ in c * CHECKPOINT..end {
                let next = grid.grow(&l, cur.0);
                block.push(std::mem::replace(&mut l, next));
            }
            block.push(l);
            block_at = c;
        }
        let layer = &block[need - c * CHECKPOINT];
        let cap = if j == 0 {
            first_cap
        } else {
            let (num, den) = share(cur.0, cur.1);
            (100 * num + u128::from(grid.m) * den, 100 * den)
        };
        cur = best_step(grid, layer, cur, cap, j == 0 && stay)?;
        plan.push(cur);
    }
    Some(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(state: &mut u64, m: u64) -> u64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 33) % m
    }

    /// Whether `(t, f)` is a state a plan from `(t0, f0)` can visit, by the
    /// rule stated directly.
    fn member(
        (target, floor, ceiling): (u64, u64, Option<u64>),
        (t0, f0): (u64, u64),
        (t, f): (u64, u64),
    ) -> bool {
        t >= t0
            && t <= target
            && f <= f0
            && t + f >= 1
            && ceiling.is_none_or(|c| t + f <= c)
            && (f == f0 || t + f >= floor)
    }

    /// The mirrored rows hold exactly the lattice's states, and one sweep
    /// ([`Grid::grow`]) adds exactly the one-step successors of an
    /// arbitrary set (random intervals per row), by brute force over pairs.
    #[test]
    fn m4_grow_matches_brute_force_successors() {
        let mut state = 31u64;
        let mut checked = 0;
        for _ in 0..5000 {
            let f0 = 1 + lcg(&mut state, 14);
            let target = 1 + lcg(&mut state, 14);
            let t0 = lcg(&mut state, target + 1);
            let floor = lcg(&mut state, target + 2);
            let ceiling =
                (lcg(&mut state, 2) == 0).then(|| target.max(t0 + f0) + lcg(&mut state, 4));
            let m = 1 + lcg(&mut state, 60);
            let limits = (target, floor, ceiling);
            let grid = Grid::new(limits, (t0, f0), m as u32);
            assert!(grid.is_some(), "small grid refused");
            let Some(grid) = grid else { continue };
            // The rows: (x, y) = (f, t).
            for t in t0..=target {
                let i = grid.index(t).unwrap_or(usize::MAX);
                for f in 0..=f0 + 2 {
                    let inside = grid.lo[i] <= f && f <= grid.hi[i];
                    assert_eq!(
                        inside,
                        member(limits, (t0, f0), (t, f)),
                        "{limits:?} {t0} {f0} ({t}, {f})"
                    );
                }
            }
            // A random set: in each row, a random sub-interval or nothing.
            let mut set = Layer {
                off: vec![0],
                iv: Vec::new(),
            };
            for i in 0..grid.rows() {
                let (lo, hi) = (grid.lo[i], grid.hi[i]);
                if lo <= hi && lcg(&mut state, 3) > 0 {
                    let a = lo + lcg(&mut state, hi - lo + 1);
                    let z = a + lcg(&mut state, hi - a + 1);
                    set.iv.push((a, z));
                }
                set.off.push(set.iv.len());
            }
            let grown = grid.grow(&set, 0);
            let holds = |l: &Layer, (x, y): (u64, u64)| {
                grid.index(y)
                    .is_some_and(|i| l.row(i).iter().any(|&(a, z)| a <= x && x <= z))
            };
            for y in t0..=target {
                let i = grid.index(y).unwrap_or(usize::MAX);
                for x in grid.lo[i]..=grid.hi[i] {
                    let mut want = holds(&set, (x, y));
                    for y2 in y..=target {
                        for x2 in 0..=x {
                            if (x2, y2) != (x, y) && holds(&set, (x2, y2)) {
                                // x / (x + y) <= x2 / (x2 + y2) + m / 100.
                                let (a, b, c, d) =
                                    (x as u128, (x + y) as u128, x2 as u128, (x2 + y2) as u128);
                                if 100 * a * d <= 100 * c * b + u128::from(m) * b * d {
                                    want = true;
                                }
                            }
                        }
                    }
                    assert_eq!(
                        holds(&grown, (x, y)),
                        want,
                        "{limits:?} {t0} {f0} m={m} ({x}, {y}) {set:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }
}
