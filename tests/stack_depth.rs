//! Stack per level of an annotated recursive function, in release: the
//! recording state lives behind the guard's box, not in every caller's
//! frame. Runs `examples/stack_depth.rs` (addresses of a local per level,
//! exact for a given build) and checks the bounds:
//! - at most 320 bytes per sampled level;
//! - with tracing disabled, at most twice the plain frame plus 32 bytes.

use std::process::Command;

fn figure(output: &str, name: &str) -> usize {
    output
        .split_whitespace()
        .find_map(|part| part.strip_prefix(&format!("{name}=")))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {name}= in {output:?}"))
}

#[test]
fn annotated_recursion_keeps_a_small_frame_per_level() {
    // The same features as the benchmarks' release build, which then shares
    // this one's artifacts.
    let output = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--release",
            "--all-features",
            "--example",
            "stack_depth",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stack_depth failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plain = figure(&stdout, "plain");
    let sampled = figure(&stdout, "sampled");
    let disabled = figure(&stdout, "disabled");
    assert!(plain > 0 && plain <= 256, "plain frame {plain} bytes");
    assert!(
        sampled <= 320,
        "{sampled} bytes per sampled level (plain: {plain})"
    );
    assert!(
        disabled <= 2 * plain + 32,
        "{disabled} bytes per level with tracing disabled (plain: {plain})"
    );
}
