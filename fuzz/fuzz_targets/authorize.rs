//! Authorization headers against direct-route keys (SPEC G4, G6): never a
//! panic, success only for a listed key, and no key ever in an error.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use replica_router::{DirectRoute, Error, Region};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    keys: Vec<&'a str>,
    header: Option<&'a str>,
}

fuzz_target!(|input: Input<'_>| {
    let Ok(region) = Region::new("US_ARIZONA_1") else { return };
    let route = match DirectRoute::new(region, &input.keys, 0) {
        Ok(route) => route,
        // Only variants that carry positions and lengths, never key text.
        Err(Error::InvalidApiKey { .. } | Error::DuplicateApiKey { .. } | Error::NoApiKeys | Error::LimitExceeded { .. }) => return,
        Err(other) => panic!("unexpected {other:?}"),
    };
    // Debug and Display are exactly the redacted forms.
    let n = route.key_count();
    assert_eq!(n, input.keys.len());
    assert_eq!(
        format!("{route:?}"),
        format!("DirectRoute {{ region: Region(\"US_ARIZONA_1\"), api_keys: <{n} redacted>, keyed: false, domain: \"direct.fireworks.ai\" }}")
    );
    let plural = if n == 1 { "" } else { "s" };
    assert_eq!(format!("{route}"), format!("INTERNET direct route in US_ARIZONA_1 ({n} API key{plural}, *.direct.fireworks.ai)"));
    // SPEC G6: only ASCII space and tab count as whitespace in the header.
    let blank = |c: char| c == ' ' || c == '\t';
    match route.authorize(input.header) {
        Ok(()) => {
            let header = input.header.unwrap().trim_matches(blank);
            let (scheme, token) = header.split_once(blank).unwrap();
            assert!(scheme.eq_ignore_ascii_case("bearer"));
            assert!(input.keys.contains(&token.trim_matches(blank)), "accepted a key that is not listed");
        }
        Err(Error::Forbidden) => {
            let token = input.header.unwrap().trim_matches(blank);
            let token = token.split_once(blank).unwrap().1.trim_matches(blank);
            assert!(!input.keys.contains(&token), "refused a listed key");
        }
        Err(Error::Unauthenticated { .. }) => {}
        Err(other) => panic!("unexpected {other:?}"),
    }
});
