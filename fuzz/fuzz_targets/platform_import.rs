//! Platform resource import (SPEC P1, P2): any input is an error or a
//! report, never a panic; a failed import leaves the registry unchanged; an
//! import's export imports again to the same export (keys aside, P2).
#![no_main]

use libfuzzer_sys::fuzz_target;
use replica_router::Registry;

fuzz_target!(|input: &str| {
    let mut registry = Registry::new("my-account", 1).expect("valid account");
    match registry.import_resources(input) {
        Err(_) => assert_eq!(registry.to_json(), Registry::new("my-account", 1).unwrap().to_json()),
        Ok(_) => {
            let export = registry.export_resources();
            let mut again = Registry::new("my-account", 1).unwrap();
            again.import_resources(&export).expect("own export imports");
            assert_eq!(again.export_resources(), export);
        }
    }
});
