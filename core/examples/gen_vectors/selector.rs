//! selector.json (SPEC S1-S4): `WeightedSelector` streams.

use replica_router::{Seed, WeightedSelector};
use serde_json::{Map, Value, json};

use crate::json::{file, hex, hex64, u64s};

/// Picks per case: the first `PICKS` picks of a fresh selector...
const PICKS: usize = 256;
/// ...then `counts` of the next `COUNTS` picks of the same generator.
const COUNTS: u64 = 100_000;
/// Counts vectors longer than this are given by digest (FNV-1a 64 of the
/// decimal counts joined by ","), to keep the file small.
const MAX_LITERAL_COUNTS: usize = 4096;

/// FNV-1a 64 of `counts` in decimal joined by `,` (the digest every consumer
/// recomputes for long counts vectors).
fn counts_digest(counts: &[u64]) -> u64 {
    let text = counts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A weight vector: literal, or `w[i] = (i * mul) % modulus + add` for
/// `i = 0 .. len` (integer arithmetic; every intermediate below 2^53 so that
/// JavaScript numbers compute it exactly).
struct Weights {
    key: &'static str,
    note: &'static str,
    source: Source,
}

enum Source {
    Literal(Vec<u32>),
    Formula {
        mul: u64,
        modulus: u64,
        add: u64,
        len: u64,
    },
}

impl Weights {
    fn lit(key: &'static str, note: &'static str, w: &[u32]) -> Weights {
        Weights {
            key,
            note,
            source: Source::Literal(w.to_vec()),
        }
    }

    fn formula(
        key: &'static str,
        note: &'static str,
        mul: u64,
        modulus: u64,
        add: u64,
        len: u64,
    ) -> Weights {
        assert!(
            modulus >= 1 && (len - 1) * mul < 1 << 53 && modulus - 1 + add <= u64::from(u32::MAX)
        );
        Weights {
            key,
            note,
            source: Source::Formula {
                mul,
                modulus,
                add,
                len,
            },
        }
    }

    fn build(&self) -> Vec<u32> {
        match self.source {
            Source::Literal(ref w) => w.clone(),
            Source::Formula {
                mul,
                modulus,
                add,
                len,
            } => (0..len)
                .map(|i| u32::try_from((i * mul) % modulus + add).expect("u32"))
                .collect(),
        }
    }

    fn json(&self) -> Value {
        match self.source {
            Source::Literal(ref w) => json!({ "note": self.note, "literal": w }),
            Source::Formula {
                mul,
                modulus,
                add,
                len,
            } => json!({
                "note": self.note,
                "formula": {
                    "text": format!("w[i] = (i * {mul}) % {modulus} + {add}, i = 0 .. {len}"),
                    "mul": mul,
                    "modulus": modulus,
                    "add": add,
                    "len": len,
                },
            }),
        }
    }
}

/// One case: `picks` and `counts` of the selector over `weights` from a
/// fresh generator.
fn case(w: &Weights, weights: &[u32], seed_key: &str, seed: &Seed) -> Value {
    let selector = WeightedSelector::new(weights).expect("valid weights");
    let mut rng = seed.rng();
    let picks: Vec<u32> = (0..PICKS).map(|_| selector.pick(&mut rng)).collect();
    let mut filled = vec![0u32; PICKS];
    selector.fill(&mut seed.rng(), &mut filled);
    assert_eq!(picks, filled, "pick and fill agree");
    let counts = selector.counts(&mut rng, COUNTS);
    let mut case = json!({
        "weights": w.key,
        "seed": seed_key,
        "len": weights.len(),
        "total": u64s(selector.total()),
        "picks": picks,
    });
    let (key, value) = if counts.len() <= MAX_LITERAL_COUNTS {
        ("counts", json!(counts))
    } else {
        let digest = json!({
            "fnv1a64": hex64(counts_digest(&counts)),
            "nonzero": counts.iter().filter(|&&c| c > 0).count(),
            "max": counts.iter().max(),
            "head": &counts[..16],
        });
        ("counts_digest", digest)
    };
    case[key] = value;
    case
}

pub(crate) fn selector_file() -> Value {
    let bytes: [u8; 32] = std::array::from_fn(|i| i as u8);
    let seeds: Vec<(&str, Seed, Value)> = vec![
        ("u64-0", Seed::from_u64(0), json!({ "u64": u64s(0) })),
        ("u64-42", Seed::from_u64(42), json!({ "u64": u64s(42) })),
        (
            "u64-max",
            Seed::from_u64(u64::MAX),
            json!({ "u64": u64s(u64::MAX) }),
        ),
        (
            "bytes-0-31",
            Seed::from_bytes(bytes),
            json!({ "bytes": hex(&bytes) }),
        ),
    ];
    let m = u32::MAX;
    let weights = vec![
        Weights::lit("single", "one weight: every pick is 0", &[1]),
        Weights::lit("3-2", "the reference A/B test: 3 and 2 replicas", &[3, 2]),
        Weights::lit(
            "one-nonzero",
            "zeros first; only index 2 is ever picked",
            &[0, 0, 7],
        ),
        Weights::lit(
            "zeros-mixed",
            "zeros between weights",
            &[5, 0, 3, 0, 0, 9, 1],
        ),
        Weights::lit("1-to-10", "1 .. 10", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        Weights::lit(
            "tiny-edge",
            "n * total = 2^10, the largest lookup-table draw",
            &[256, 256],
        ),
        Weights::lit(
            "small-first",
            "n * total = 2^10 + 2, the smallest 32-bit draw",
            &[257, 256],
        ),
        Weights::lit(
            "small-edge",
            "n * total = 2^24, the largest 32-bit draw",
            &[8_388_607, 1],
        ),
        Weights::lit(
            "single-first",
            "n * total = 2^24 + 2, the smallest 64-bit draw",
            &[8_388_608, 1],
        ),
        Weights::lit("u32-max", "u32::MAX weights and a zero", &[m, 1, 0, m]),
        Weights::formula(
            "mod-13-x1000",
            "1,000 weights 0..12, every 13th zero",
            7919,
            13,
            0,
            1000,
        ),
        Weights::formula(
            "mod-1000-x100000",
            "100,000 weights 0..999, every 1,000th zero",
            7919,
            1000,
            0,
            100_000,
        ),
        Weights::formula(
            "u32-max-x100000",
            "100,000 weights of u32::MAX: n * total >= 2^64, two draws a pick",
            0,
            1,
            u64::from(m),
            100_000,
        ),
    ];
    let mut cases = Vec::new();
    for w in &weights {
        let built = w.build();
        for (seed_key, seed, _) in &seeds {
            cases.push(case(w, &built, seed_key, seed));
        }
    }
    let mut seeds_json = Map::new();
    for (key, seed, mut input) in seeds {
        input["seed_bytes"] = hex(seed.as_bytes()).into();
        seeds_json.insert(key.to_owned(), input);
    }
    let weights_json: Map<String, Value> = weights
        .iter()
        .map(|w| (w.key.to_owned(), w.json()))
        .collect();
    file(
        &["S1", "S2", "S3", "S4"],
        "WeightedSelector streams. For each case: build the selector over `weights`, make a \
         fresh generator from `seed` (stream 0; a `u64` seed is expanded by SplitMix64 into \
         `seed_bytes`), take `picks` (the first 256 picks), then `counts` of the next 100,000 \
         picks of the same generator. Counts longer than 4,096 entries are given as \
         `counts_digest`: FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) of the \
         UTF-8 text of the counts in decimal joined by \",\", the number of non-zero counts, \
         the largest count and the first 16 counts.",
        json!({
            "picks_per_case": PICKS,
            "counts_picks": COUNTS,
            "seeds": seeds_json,
            "weights": weights_json,
            "cases": cases,
        }),
    )
}
