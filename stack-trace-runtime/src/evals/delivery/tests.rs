use std::time::{Duration, Instant};

use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

use super::*;
use crate::evals::annotation::Annotation;
use crate::evals::prepare::prepare;
use crate::{SpanHandle, TraceHandle};

fn live(trace: u128, span: u64, sampled: bool) -> SpanHandle {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    let context = SpanContext::new(
        TraceId::from(trace),
        SpanId::from(span),
        flags,
        false,
        TraceState::default(),
    );
    SpanHandle::of(&context).unwrap()
}

fn on(target: Target) -> Prepared {
    prepare(target, Annotation::new("q").score(1.0)).unwrap()
}

fn unknown(_: TraceId) -> Whereabouts {
    Whereabouts::Unknown
}

#[test]
fn a_live_span_waits_until_it_is_exported() {
    let mut outbox = Outbox::new(Destination::Console);
    let now = Instant::now();
    outbox.offer(on(live(7, 8, true).into()), now);
    outbox.sort(now, false, unknown);
    assert!(outbox.holds_any());
    assert_eq!(outbox.next_due(), Some(now + HOLD_FOR));
    outbox.exported(TraceId::from(7), SpanId::from(8));
    outbox.sort(now, false, unknown);
    assert!(!outbox.holds_any());
    outbox.pump(now, 1, now + Duration::from_secs(1));
    let printed = outbox.take_printed();
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0].0, Some(TraceId::from(7)));
    assert_eq!(printed[0].1, Some(SpanId::from(8)));
    assert!(
        printed[0].2.starts_with("q [HUMAN] = 1"),
        "{}",
        printed[0].2
    );
    assert!(outbox.is_empty());
}

#[test]
fn a_parsed_handle_is_sent_at_once_and_a_hold_ends() {
    let mut outbox = Outbox::new(Destination::Console);
    let now = Instant::now();
    let parsed: SpanHandle = "00f067aa0ba902b7".parse().unwrap();
    outbox.offer(on(parsed.into()), now);
    outbox.offer(on(live(1, 2, true).into()), now);
    outbox.sort(now, false, unknown);
    assert_eq!((outbox.ready.len(), outbox.held.len()), (1, 1));
    outbox.sort(now + HOLD_FOR, false, unknown);
    assert_eq!((outbox.ready.len(), outbox.held.len()), (2, 0));
}

#[test]
fn unsampled_and_discarded_traces_are_dropped_and_counted() {
    let before = stats::read().3;
    let mut outbox = Outbox::new(Destination::Console);
    let now = Instant::now();
    outbox.offer(on(live(3, 4, false).into()), now);
    outbox.offer(on(live(5, 6, true).into()), now);
    outbox.sort(now, false, |trace| {
        if trace == TraceId::from(5) {
            Whereabouts::Discarded
        } else {
            Whereabouts::Unknown
        }
    });
    assert!(outbox.is_empty());
    assert!(stats::read().3 >= before + 2);
}

#[test]
fn the_tail_buffer_holds_a_trace_annotation_until_shutdown_sends_all() {
    let mut outbox = Outbox::new(Destination::Console);
    let now = Instant::now();
    let trace = live(9, 10, true).trace().unwrap();
    outbox.offer(on(trace.into()), now);
    outbox.sort(now + HOLD_FOR, false, |_| Whereabouts::Waiting);
    assert!(
        outbox.holds_any(),
        "a trace in the tail buffer is waited for"
    );
    outbox.sort(now, true, |_| Whereabouts::Waiting);
    assert!(!outbox.holds_any());
    assert!(outbox.deliver_until(now + Duration::from_secs(1)));
    assert_eq!(outbox.take_printed().len(), 1);
}

#[test]
fn nowhere_drops_and_the_queue_is_bounded() {
    let mut outbox = Outbox::new(Destination::Nowhere);
    let now = Instant::now();
    let trace: TraceHandle = "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap();
    outbox.offer(on(trace.into()), now);
    assert!(outbox.is_empty());
    let mut outbox = Outbox::new(Destination::Console);
    for _ in 0..MAX_WAITING + 10 {
        outbox.offer(on(trace.into()), now);
    }
    assert_eq!(outbox.held.len(), MAX_WAITING);
    outbox.abandon();
    assert!(outbox.is_empty());
}

#[test]
fn backoff_doubles_up_to_its_cap() {
    assert_eq!(send::backoff(0), Duration::from_millis(250));
    assert_eq!(send::backoff(1), Duration::from_millis(500));
    assert_eq!(send::backoff(30), Duration::from_secs(5));
}

#[test]
fn the_bytes_waiting_are_bounded_and_given_back() {
    let mut outbox = Outbox::new(Destination::Console);
    let now = Instant::now();
    let big = "x".repeat(64 * 1024);
    let trace: TraceHandle = "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap();
    for _ in 0..MAX_WAITING {
        let annotation = Annotation::new("q")
            .explanation(big.clone())
            .metadata("m", big.clone());
        outbox.offer(prepare(trace.into(), annotation).unwrap(), now);
    }
    assert!(outbox.bytes <= MAX_WAITING_BYTES, "{}", outbox.bytes);
    assert!(
        outbox.held.len() < MAX_WAITING / 2,
        "{} kept",
        outbox.held.len()
    );
    outbox.sort(now, true, unknown);
    outbox.pump(now, 1, now + Duration::from_secs(1));
    assert_eq!(outbox.bytes, 0);
    assert!(outbox.is_empty());
}

#[test]
fn an_outage_backs_off_up_to_thirty_seconds() {
    assert_eq!(send::outage_backoff(1), Duration::from_millis(500));
    assert_eq!(send::outage_backoff(20), Duration::from_secs(30));
}
