//! The run-time switch; in its own test binary because it is process-wide.

use stack_trace::testing::{in_root, spans_of};
use stack_trace_runtime::{chain, tool};

#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[chain]
fn shout(text: &str) -> String {
    text.to_uppercase()
}

#[test]
fn runtime_switch_turns_recording_off_and_on() {
    stack_trace::testing::install();
    let (trace, _) = in_root(|| {
        stack_trace_runtime::set_enabled(false);
        let off = add(1, 1);
        stack_trace_runtime::set_enabled(true);
        off + shout("on").len() as i64
    });
    let spans = spans_of(&trace, 2);
    assert!(spans.iter().any(|s| s.name == "shout"));
    assert!(
        !spans.iter().any(|s| s.name == "add"),
        "{:?}",
        stack_trace::testing::names(&spans)
    );
}
