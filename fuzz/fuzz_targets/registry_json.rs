//! Registry snapshots (SPEC T1): loading never panics, and whatever loads is
//! a fixed point of to_json/from_json.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replica_router::Registry;

fuzz_target!(|input: &str| {
    if let Ok(registry) = Registry::from_json(input) {
        let json = registry.to_json();
        let again = Registry::from_json(&json).expect("own output loads");
        assert_eq!(again.to_json(), json);
    }
});
