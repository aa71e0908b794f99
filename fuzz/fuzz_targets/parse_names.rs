//! Resource names, IDs, regions and strategies: never a panic, and whatever
//! parses round-trips through its display form (SPEC N1, N2, G1, R7).
#![no_main]

use libfuzzer_sys::fuzz_target;
use replica_router::{Id, IdKind, Region, RegionCatalog, ResourceKind, ResourceName, Strategy};

fuzz_target!(|input: &str| {
    if let Ok(id) = Id::new(input, IdKind::Router) {
        assert_eq!(id.as_str(), input);
        assert!(id.as_str().len() <= 63);
    }
    let me = Id::new("fuzz-account", IdKind::Account).unwrap();
    for kind in [ResourceKind::Deployment, ResourceKind::Router, ResourceKind::Model] {
        if let Ok(name) = ResourceName::parse(input, kind, &me) {
            let shown = name.to_string();
            assert_eq!(ResourceName::parse(&shown, kind, &me).unwrap(), name);
            assert_eq!(name.kind(), kind);
        }
    }
    if let Ok(region) = Region::new(input) {
        assert_eq!(Region::new(region.canonical()).unwrap(), region);
        assert_eq!(Region::new(&region.host_label()).unwrap(), region);
        assert!(region.canonical().bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_'));
    }
    let _ = RegionCatalog::new(input.split(','));
    if let Ok(strategy) = input.parse::<Strategy>() {
        assert_eq!(strategy.as_str(), input);
    }
});
