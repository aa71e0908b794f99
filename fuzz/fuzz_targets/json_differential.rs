//! The formats' JSON reader against serde_json (issue 15): on every document
//! both read, the values agree; the reader accepts nothing serde_json
//! rejects; and it rejects a document serde_json reads only for its own
//! documented rules (a repeated key, nesting deeper than 128 levels).
#![no_main]

use libfuzzer_sys::fuzz_target;
use replica_router::fuzzing::parse_and_print;

fuzz_target!(|input: &str| {
    let ours = parse_and_print(input);
    let theirs = serde_json::from_str::<serde_json::Value>(input);
    match (ours, theirs) {
        (Ok(printed), Ok(value)) => {
            // Our print, read by serde_json, is the same value (numbers
            // compared as serde_json reads their literal text).
            let reread: serde_json::Value =
                serde_json::from_str(&printed).expect("our print is JSON");
            assert_eq!(reread, value, "{input:?} printed as {printed:?}");
        }
        (Ok(printed), Err(e)) => {
            // serde_json's own limits: numbers beyond f64, its recursion
            // limit (its nesting depth counts differently from ours).
            let message = e.to_string();
            assert!(
                message.contains("number out of range")
                    || message.contains("recursion limit"),
                "we read {input:?} as {printed:?}, serde_json says {message}"
            );
        }
        (Err(message), Ok(_)) => {
            assert!(
                message.starts_with("duplicate key") || message.contains("nest deeper than"),
                "we reject {input:?} ({message}), serde_json reads it"
            );
        }
        (Err(_), Err(_)) => {}
    }
});
