//! A soak test in its own binary: 1,000,000 spans from 8 threads with the
//! collector down. Resident memory stays within a coarse bound (the export
//! queue is bounded, refused batches are dropped and counted), and every
//! span is accounted for in `stats()`.

use std::time::Duration;

use stack_trace_runtime::{Config, chain, stats, tool};

#[tool]
fn lookup(key: u64) -> String {
    format!("value-{key}")
}

#[chain]
fn handle(request: u64) -> usize {
    lookup(request).len()
}

/// Resident set size in bytes (Linux `/proc/self/statm`, pages of 4 KiB).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("resident pages");
    pages * 4096
}

fn run(threads: u64, per_thread: u64) {
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                for i in 0..per_thread {
                    let _ = handle(t * per_thread + i);
                }
            });
        }
    });
}

#[test]
fn a_million_spans_with_the_collector_down_keep_memory_flat() {
    // A port nothing listens on: every export is refused (and retried by the
    // exporter with backoff, while the bounded queue drops the overflow).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let guard = Config::default()
        .endpoint(format!("http://127.0.0.1:{port}/v1/traces"))
        .console(false)
        .shutdown_timeout(Duration::from_millis(500))
        .try_init()
        .expect("init");

    run(8, 12_500); // 200,000 spans: warm up allocator arenas and the queue
    let warm = rss_bytes();
    run(8, 62_500); // 1,000,000 spans (two per call)
    let after = rss_bytes();
    drop(guard);

    let s = stats();
    assert_eq!(s.ended, 200_000 + 1_000_000);
    assert_eq!(s.exported, 0);
    assert_eq!(
        s.ended, s.dropped,
        "every span is counted as dropped: {s:?}"
    );
    let growth = after.saturating_sub(warm);
    eprintln!(
        "rss after warm-up {} MiB, after 1,000,000 spans {} MiB ({s:?})",
        warm >> 20,
        after >> 20
    );
    assert!(
        growth < 32 << 20,
        "resident memory grew by {} MiB over 1,000,000 spans",
        growth >> 20
    );
}
