//! Test support for the stack-trace workspace (not published).
//!
//! The integration tests, examples and benchmarks of the workspace live in
//! this package; this library holds what they share.

pub mod bench_support;
pub mod phoenix;
pub mod receiver;
pub mod spec;
pub mod testing;
