//! Stack bytes per level of a recursive function, plain and annotated
//! (sampled, then with tracing disabled), measured from the addresses of a
//! local at each level. Prints `plain=N sampled=N disabled=N`.
//!
//! ```text
//! cargo run --release --example stack_depth
//! ```
//!
//! `tests/stack_depth.rs` runs it in release and checks the bounds.

use std::cell::RefCell;
use std::hint::black_box;

use stack_trace::bench_support::DropExporter;
use stack_trace_runtime::{Config, chain};

const DEPTH: u32 = 256;

thread_local! {
    static ADDRESSES: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Notes where this level's frame is.
#[inline(never)]
fn note_level() {
    let marker = 0u8;
    // The caller's frame ends just above this call's.
    let address = std::ptr::from_ref(black_box(&marker)) as usize;
    ADDRESSES.with(|a| a.borrow_mut().push(address));
}

#[inline(never)]
fn plain(depth: u32) -> u32 {
    note_level();
    if depth == 0 {
        0
    } else {
        black_box(plain(depth - 1)) + 1
    }
}

#[chain]
#[inline(never)]
fn annotated(depth: u32) -> u32 {
    note_level();
    if depth == 0 {
        0
    } else {
        black_box(annotated(depth - 1)) + 1
    }
}

/// Bytes of stack per level while `run` recurses `DEPTH` levels.
fn per_level(run: impl Fn(u32) -> u32) -> usize {
    ADDRESSES.with(|a| a.borrow_mut().clear());
    black_box(run(black_box(DEPTH)));
    let addresses = ADDRESSES.with(|a| a.borrow().clone());
    let first = addresses[0];
    let last = addresses[addresses.len() - 1];
    (first - last) / (addresses.len() - 1)
}

fn main() {
    let guard = Config::default()
        .exporter(DropExporter)
        .console(false)
        .try_init()
        .expect("install");
    ADDRESSES.with(|a| a.borrow_mut().reserve(2 * DEPTH as usize));
    let plain = per_level(plain);
    let sampled = per_level(annotated);
    stack_trace_runtime::set_enabled(false);
    let disabled = per_level(annotated);
    println!("plain={plain} sampled={sampled} disabled={disabled}");
    drop(guard);
}
