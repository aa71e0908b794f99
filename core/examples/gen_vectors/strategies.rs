//! strategies.json (SPEC R7): routing strategies without a registry.

use replica_router::{SessionAffinity, WeightedRoundRobin, session_hash};
use serde_json::{Value, json};

use crate::json::{file, hex64, u64s};
use crate::ops::keys;

pub(crate) fn strategies_file() -> Value {
    let hash_keys: Vec<String> = [
        "",
        "a",
        "abcdefg",
        "abcdefgh",
        "abcdefghi",
        "0123456789abcde",
        "0123456789abcdef",
        "0123456789abcdef0",
        "conversation-42",
        "user:1234/session:abcd",
        "é",
        "日本語",
        "emoji 🙂",
        "nul\u{0}inside",
    ]
    .into_iter()
    .map(String::from)
    .chain([
        "x".repeat(100),
        "accounts/my-account/deployments/deployment-a".to_owned(),
    ])
    .collect();
    let hashes: Vec<Value> = hash_keys
        .iter()
        .map(|k| json!({ "key": k, "hash": hex64(session_hash(k)) }))
        .collect();

    let rr_cases: Vec<(Vec<u32>, u64, usize)> = vec![
        (vec![1], 0, 3),
        (vec![3, 2], 0, 10),
        (vec![3, 2], 7, 5),
        (vec![1, 1, 1], 0, 6),
        (vec![5, 0, 1, 2], 0, 16),
        (vec![7, 3, 0, 2], u64::MAX, 24),
        ((1..=20).collect(), 0, 210),
        (vec![40_000, 30_000, 1], 123_456, 64),
        (vec![u32::MAX, 1, 2], 1 << 63, 32),
    ];
    let round_robin: Vec<Value> = rr_cases
        .into_iter()
        .map(|(weights, cursor, count)| {
            let rr = WeightedRoundRobin::new(&weights).expect("valid");
            let mut out = vec![0u32; count];
            let next = rr.fill(cursor, &mut out);
            let mut c = cursor;
            for &p in &out {
                assert_eq!(rr.pick(c), p);
                c = rr.next_cursor(c);
            }
            assert_eq!(c, next);
            json!({
                "weights": weights,
                "total": u64s(rr.total()),
                "cursor": u64s(cursor),
                "count": count,
                "picks": out,
                "next_cursor": u64s(next),
            })
        })
        .collect();

    let affinity_keys: Vec<String> = keys("session-", 40)
        .into_iter()
        .chain(["", "conversation-42", "é", "日本語"].map(String::from))
        .collect();
    let affinity_cases: Vec<Vec<(String, u32)>> = vec![
        vec![("deployment-a".into(), 3), ("deployment-b".into(), 2)],
        vec![("deployment-a".into(), 3), ("deployment-b".into(), 3)],
        vec![("deployment-b".into(), 2), ("deployment-a".into(), 3)],
        vec![("x".into(), 0), ("y".into(), 1), ("z".into(), 4)],
        vec![
            ("accounts/my-account/deployments/a".into(), 1),
            ("accounts/my-account/deployments/b".into(), 1),
        ],
        (1..=10).map(|i| (format!("d{i}"), i)).collect(),
    ];
    let hashed_inputs = [0u64, 1, 0x9e37_79b9_7f4a_7c15, u64::MAX];
    let affinity: Vec<Value> = affinity_cases
        .into_iter()
        .map(|deps| {
            let sa =
                SessionAffinity::new(deps.iter().map(|(n, r)| (n.as_str(), *r))).expect("valid");
            let picks: Vec<Value> = affinity_keys
                .iter()
                .map(|k| {
                    let p = sa.pick(k);
                    assert_eq!(p, sa.pick_hashed(session_hash(k)));
                    json!([p.deployment, p.replica])
                })
                .collect();
            let hashed: Vec<Value> = hashed_inputs
                .iter()
                .map(|&h| {
                    let p = sa.pick_hashed(h);
                    json!({ "hash": hex64(h), "pick": [p.deployment, p.replica] })
                })
                .collect();
            json!({
                "deployments": deps,
                "total": u64s(sa.total()),
                "picks": picks,
                "hashed": hashed,
            })
        })
        .collect();

    file(
        &["R7"],
        "Routing strategies without a registry. session_hash: key to 64-bit hash. \
         round_robin: WeightedRoundRobin(weights); starting at `cursor`, `count` picks, each \
         followed by next_cursor; `next_cursor` is the cursor after the last pick. \
         session_affinity: SessionAffinity(deployments as [name, replicas]); `picks[i]` is \
         [deployment index, replica slot] for `keys[i]`; `hashed` gives pick_hashed results.",
        json!({
            "session_hash": hashes,
            "round_robin": round_robin,
            "session_affinity": { "keys": affinity_keys, "cases": affinity },
        }),
    )
}
