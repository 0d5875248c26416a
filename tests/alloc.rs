//! Heap allocations of an annotated call on the fast paths, counted exactly
//! by a counting global allocator (per thread, so nothing else interferes).
//! One test, in its own binary, because it installs and removes providers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use stack_trace_runtime::{Config, Sampling, chain, tool};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: delegates to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_of(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[tool]
fn search(query: &str, top_k: usize) -> usize {
    query.len() + top_k
}

#[chain]
async fn step(query: &str) -> usize {
    query.len()
}

/// Allocations per call, after a warm-up call (thread-locals, lazies).
fn per_call() -> (u64, u64) {
    let query = String::from("how do I rotate keys?");
    let _ = search(&query, 3);
    let sync = allocations_of(|| {
        for _ in 0..100 {
            assert_eq!(search(&query, 3), 24);
        }
    });
    let asynchronous = allocations_of(|| {
        for _ in 0..100 {
            let mut fut = pin!(step(&query));
            let mut cx = Context::from_waker(Waker::noop());
            assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(21));
        }
    });
    (sync, asynchronous)
}

#[test]
fn fast_paths_do_not_allocate() {
    // 1. No provider at all (the OpenTelemetry no-op global): one small
    //    allocation per call, the `BoxedSpan` the global API forces.
    let (sync, asynchronous) = per_call();
    assert!(
        sync <= 100 && asynchronous <= 100,
        "no provider: {sync} / {asynchronous} per 100 calls"
    );

    // 2. Recording switched off at run time: nothing.
    stack_trace_runtime::set_enabled(false);
    assert_eq!(per_call(), (0, 0), "disabled");
    stack_trace_runtime::set_enabled(true);

    // 3. `always_off`: the fast path never touches OpenTelemetry.
    let guard = Config::default()
        .console(false)
        .sampling(Sampling::AlwaysOff)
        .try_init()
        .unwrap();
    assert_eq!(per_call(), (0, 0), "always_off");

    // 4. A suppressed scope (inside it; entering it is the caller's cost).
    drop(guard);
    let guard = Config::default().console(false).try_init().unwrap();
    {
        let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
        assert_eq!(per_call(), (0, 0), "suppressed");
    }

    // 5. `OTEL_SDK_DISABLED=true`.
    drop(guard);
    let guard = Config::from_lookup(|k| (k == "OTEL_SDK_DISABLED").then(|| "true".to_owned()))
        .try_init()
        .unwrap();
    assert_eq!(per_call(), (0, 0), "OTEL_SDK_DISABLED");
    drop(guard);

    // 6. Sampled out by ratio: the SDK span itself allocates nothing; making
    //    its context current (so children know the trace is not sampled)
    //    costs exactly one allocation.
    let guard = Config::default()
        .console(false)
        .sampling(Sampling::ParentBasedTraceIdRatio(0.0))
        .try_init()
        .unwrap();
    assert_eq!(per_call(), (100, 100), "ratio 0: one allocation per call");
    drop(guard);
}
