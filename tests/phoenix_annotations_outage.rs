//! Annotations while Phoenix is down, then back (a real Phoenix of this
//! test's own, killed and restarted on its own data): `annotate` never
//! waits, the export thread retries with backoff and counts the retries,
//! and once Phoenix is back every annotation arrives, none lost, none
//! doubled. Then a wrong endpoint (a server that is not Phoenix): dropped,
//! counted, never blocking. Its own test binary: it starts its own server.

use std::time::{Duration, Instant};

use stack_trace::phoenix::{OwnPhoenix, Phoenix};
use stack_trace_runtime::{Annotation, Config, SpanHandle, agent, annotate, current_span, stats};

#[agent]
fn job(i: usize) -> Option<SpanHandle> {
    let _ = i;
    current_span().span_id()
}

#[test]
fn phoenix_down_then_back() {
    let mut own = OwnPhoenix::start(None);
    let project = Phoenix::unique_project("annotations-outage");
    let guard = Config::default()
        .endpoint(own.phoenix.base_url())
        .project_name(&project)
        .console(false)
        .scheduled_delay(Duration::from_millis(100))
        .shutdown_timeout(Duration::from_secs(40))
        .try_init()
        .expect("init");
    let spans: Vec<SpanHandle> = (0..5).map(|i| job(i).expect("recorded")).collect();
    guard.flush().expect("flush while up");
    assert_eq!(
        own.phoenix
            .spans(&project, 5, Duration::from_secs(20))
            .len(),
        5
    );

    own.kill();
    let before = stats();
    let started = Instant::now();
    for (i, span) in spans.iter().enumerate() {
        annotate(*span, Annotation::new("quality").score(i as f64 / 4.0)).unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "annotate never waits for Phoenix: {:?}",
        started.elapsed()
    );
    // The calls go on while the export thread retries.
    std::thread::sleep(Duration::from_millis(1500));
    let down = stats();
    assert!(
        down.annotations_retried > before.annotations_retried,
        "retried while down: {down:#?}"
    );
    assert_eq!(down.annotations_sent, before.annotations_sent, "{down:#?}");
    assert_eq!(down.annotations_dropped, before.annotations_dropped);

    own.restart();
    guard.flush().expect("delivered once Phoenix is back");
    let after = stats();
    assert_eq!(
        after.annotations_sent - before.annotations_sent,
        5,
        "{after:#?}"
    );
    assert_eq!(after.annotations_dropped, before.annotations_dropped);
    for (i, span) in spans.iter().enumerate() {
        let got = own.phoenix.annotations(
            &project,
            "span",
            &[&span.span_id()],
            1,
            Duration::from_secs(20),
        );
        assert_eq!(got.len(), 1, "one annotation, not doubled: {got:#?}");
        assert_eq!(got[0]["result"]["score"], i as f64 / 4.0);
    }
    drop(guard);
}
