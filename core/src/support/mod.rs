//! Machinery that is not a rule: the strict JSON codec and the sorted-vector
//! map with its duplicate finder. Domain modules use these; a reader of the
//! domain never needs to open them.

pub(crate) mod json;
pub(crate) mod vec_map;
