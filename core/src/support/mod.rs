//! Machinery that is not a rule: the strict JSON codec, the registry's map
//! (hashed lookups, ordered listings) with its duplicate finder, and small text helpers (quoting, percent
//! text). Domain modules use these; a reader of the
//! domain never needs to open them.
//!
//! | rule | items |
//! | --- | --- |
//! | (none: machinery) | `json`, `ordered_map`, `text` |

pub(crate) mod json;
pub(crate) mod ordered_map;
pub(crate) mod text;
