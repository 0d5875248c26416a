//! A real Phoenix killed mid-run (SIGKILL, as a crash) and started again on
//! the same port: the program never waits on it, spans produced while it is
//! down are counted as dropped, and spans produced after the restart arrive.
//! Its own test binary: it starts two Phoenix servers of its own.

use std::time::{Duration, Instant};

use stack_trace::phoenix::OwnPhoenix;
use stack_trace_runtime::{Config, agent, stats, tool};

#[tool]
fn step(i: usize) -> usize {
    i * 2
}

#[agent]
fn job(phase: &str, i: usize) -> usize {
    let _ = phase;
    step(i) + step(i + 1)
}

fn run(phase: &str, n: usize) -> Duration {
    let started = Instant::now();
    for i in 0..n {
        let _ = job(phase, i);
    }
    started.elapsed()
}

fn inputs_with(spans: &[serde_json::Value], phase: &str) -> usize {
    spans
        .iter()
        .filter(|s| s["name"] == "job")
        .filter(|s| {
            s["attributes"]["input.value"]
                .as_str()
                .is_some_and(|v| v.contains(phase))
        })
        .count()
}

#[test]
fn phoenix_killed_and_restarted_mid_run() {
    let first = OwnPhoenix::start(None);
    let port = first.port();
    let project = stack_trace::phoenix::Phoenix::unique_project("restart");
    let guard = Config::default()
        .endpoint(first.phoenix.base_url())
        .project_name(&project)
        .console(false)
        .scheduled_delay(Duration::from_millis(100))
        .shutdown_timeout(Duration::from_secs(2))
        .try_init()
        .expect("init");

    let before_up = run("before", 20);
    guard.flush().expect("flush while up");
    let spans = first.phoenix.spans(&project, 60, Duration::from_secs(20));
    assert_eq!(inputs_with(&spans, "before"), 20);

    first.kill();
    let down_stats = stats();
    // Down: the calls go on at full speed; every batch fails and is counted.
    let while_down = run("down", 2_000);
    // The exporter retries a refused batch with backoff (100 ms, 200 ms,
    // 400 ms) within its timeout; meanwhile the queue fills and new spans are
    // dropped and counted. A flush waits at most its cap.
    let flush_started = Instant::now();
    let _ = guard.flush();
    assert!(
        flush_started.elapsed() < Duration::from_secs(3),
        "flush is capped"
    );
    let after_down = stats();
    assert!(
        after_down.failed_exports > down_stats.failed_exports,
        "{after_down:?}"
    );
    assert!(after_down.dropped > down_stats.dropped, "{after_down:?}");
    assert!(
        while_down < Duration::from_secs(5),
        "2,000 calls with the collector down took {while_down:?} (20 took {before_up:?} while up)"
    );

    let second = OwnPhoenix::start(Some(port));
    let exported_before = stats().exported;
    run("after", 20);
    guard.flush().expect("flush after the restart");
    let spans = second.phoenix.spans(&project, 60, Duration::from_secs(20));
    assert_eq!(
        inputs_with(&spans, "after"),
        20,
        "spans produced after the restart arrive"
    );
    let end = stats();
    assert!(end.exported - exported_before >= 60);
    assert_eq!(
        end.ended,
        end.exported + end.dropped,
        "every span is accounted for: delivered (some of those queued while \
         Phoenix was down, after its restart) or counted as dropped: {end:?}"
    );
    assert!(inputs_with(&spans, "down") < 2_000);
    drop(guard);
    drop(first);
}
