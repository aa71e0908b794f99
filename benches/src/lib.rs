//! Criterion benchmarks of `replica-router` (issue 7). The benches live in
//! `benches/`; `report.py` turns criterion's output into the table in
//! `README.md`. This library is empty.
