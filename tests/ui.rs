//! Compile tests: every diagnostic (`ui/fail`, with the expected `.stderr`)
//! and every signature shape that must compile (`ui/pass`).
//!
//! Compiler output changes between releases, so this runs on the toolchain
//! the snapshots were written with; set `TRYBUILD=overwrite` to refresh them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
