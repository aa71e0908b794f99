//! Migration plans (SPEC M6): loading never panics, and whatever loads is a
//! fixed point of to_json/from_json.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replica_router::MigrationPlan;

fuzz_target!(|input: &str| {
    if let Ok(plan) = MigrationPlan::from_json(input) {
        let json = plan.to_json();
        let again = MigrationPlan::from_json(&json).expect("own output loads");
        assert_eq!(again, plan);
        assert_eq!(again.to_json(), json);
    }
});
