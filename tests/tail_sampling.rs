//! Error-and-latency-aware sampling: whole traces kept when they failed or
//! were slow, about the ratio of the rest, late children following their
//! trace, memory within the caps. In-memory tests check the rules and the
//! counters; the last one checks what a real Phoenix receives.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use opentelemetry::trace::{TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use stack_trace::phoenix::Phoenix;
use stack_trace_runtime::{
    Config, Guard, TailSampling, agent, current_trace_id, in_current_span, llm, stats, tool,
};

/// Installations are process-wide: one test at a time.
static TURN: Mutex<()> = Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The rule the docs state: the trace id's last 8 bytes, shifted right by
/// one, below `ratio * 2^63` (written here independently of the library).
fn in_ratio(trace_hex: &str, ratio: f64) -> bool {
    let low = u64::from_str_radix(&trace_hex[16..], 16).expect("hex trace id");
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let bound = (ratio * (1u64 << 63) as f64) as u64;
    (low >> 1) < bound
}

fn in_memory(tail: TailSampling) -> (InMemorySpanExporter, Guard) {
    let exporter = InMemorySpanExporter::default();
    let guard = Config::default()
        .exporter(exporter.clone())
        .console(false)
        .scheduled_delay(Duration::from_millis(20))
        .tail_sampling(tail)
        .try_init()
        .expect("install");
    (exporter, guard)
}

fn by_trace(spans: &[SpanData]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in spans {
        out.entry(s.span_context.trace_id().to_string())
            .or_default()
            .push(s.name.to_string());
    }
    for names in out.values_mut() {
        names.sort();
    }
    out
}

#[tool]
fn step(i: usize) -> Result<usize, std::io::Error> {
    if i % 10 == 3 {
        Err(std::io::Error::other("step failed"))
    } else {
        Ok(i)
    }
}

#[agent]
fn job(i: usize) -> String {
    let _ = step(i);
    let _ = step(i + 100);
    if i % 10 == 7 {
        std::thread::sleep(Duration::from_millis(60));
    }
    current_trace_id().expect("inside a span").to_string()
}

#[test]
fn failed_and_slow_traces_are_kept_whole_and_the_rest_by_ratio() {
    let _turn = turn();
    let before = stats();
    let (exporter, guard) =
        in_memory(TailSampling::ratio(0.3).latency_threshold(Duration::from_millis(50)));
    let traces: Vec<(usize, String)> = (0..200).map(|i| (i, job(i))).collect();
    guard.flush().expect("flush");
    let exported = by_trace(&exporter.get_finished_spans().expect("spans"));
    let expected: BTreeSet<&str> = traces
        .iter()
        .filter(|(i, t)| i % 10 == 3 || i % 10 == 7 || in_ratio(t, 0.3))
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(
        exported.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        expected
    );
    for names in exported.values() {
        assert_eq!(names, &["job", "step", "step"], "every kept trace is whole");
    }
    let by_ratio = traces
        .iter()
        .filter(|(i, t)| i % 10 != 3 && i % 10 != 7 && in_ratio(t, 0.3))
        .count();
    assert!(
        (20..=80).contains(&by_ratio),
        "about 30 % of 160: {by_ratio}"
    );
    let after = stats();
    let kept = expected.len() as u64;
    assert_eq!(after.traces_kept - before.traces_kept, kept);
    assert_eq!(
        after.traces_sampled_out - before.traces_sampled_out,
        200 - kept
    );
    assert_eq!(after.exported - before.exported, 3 * kept);
    assert_eq!(after.sampled_out - before.sampled_out, 3 * (200 - kept));
    drop(guard);
}

#[tool]
async fn audit(i: usize) -> usize {
    tokio::time::sleep(Duration::from_millis(40)).await;
    i
}

#[agent]
async fn handler(i: usize) -> String {
    // Outlives the handler: ends after the root was decided.
    tokio::spawn(in_current_span(audit(i)));
    if i % 2 == 0 {
        let _ = step(3); // fails: the trace is kept
    }
    current_trace_id().expect("inside a span").to_string()
}

#[test]
fn late_children_follow_their_trace() {
    let _turn = turn();
    let before = stats();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (exporter, guard) = in_memory(TailSampling::ratio(0.0));
    let traces = rt.block_on(async {
        let mut traces = Vec::new();
        for i in 0..10 {
            traces.push(handler(i).await);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        traces
    });
    guard.flush().expect("flush");
    let exported = by_trace(&exporter.get_finished_spans().expect("spans"));
    for (i, trace) in traces.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(exported[trace], ["audit", "handler", "step"], "trace {i}");
        } else {
            assert!(
                !exported.contains_key(trace),
                "trace {i} sampled out, late child too"
            );
        }
    }
    assert_eq!(stats().late_spans - before.late_spans, 10);
    drop(guard);
}

#[test]
fn a_root_that_never_ends_is_decided_after_the_timeout() {
    let _turn = turn();
    let before = stats();
    let (exporter, guard) =
        in_memory(TailSampling::ratio(0.0).root_timeout(Duration::from_millis(150)));
    let tracer = guard.provider().expect("provider").tracer("raw");
    // The root stays open as long as this context lives.
    let open_root = opentelemetry::Context::current().with_span(tracer.start("never-ends"));
    let trace = {
        let _attached = open_root.clone().attach();
        let _ = step(3); // a failed child
        current_trace_id().expect("trace").to_string()
    };
    guard.flush().expect("flush");
    assert!(
        !by_trace(&exporter.get_finished_spans().unwrap()).contains_key(&trace),
        "waits for its root"
    );
    std::thread::sleep(Duration::from_millis(400));
    guard.flush().expect("flush");
    let exported = by_trace(&exporter.get_finished_spans().unwrap());
    assert_eq!(
        exported[&trace],
        ["step"],
        "decided on what had arrived: it failed"
    );
    assert_eq!(stats().timeout_decisions - before.timeout_decisions, 1);
    open_root.span().end();
    guard.flush().expect("flush");
    let exported = by_trace(&exporter.get_finished_spans().unwrap());
    assert_eq!(
        exported[&trace],
        ["never-ends", "step"],
        "the root follows at last"
    );
    drop(guard);
}

#[agent]
fn wide(n: usize) -> usize {
    (0..n).filter_map(|i| step(i + 1).ok()).count()
}

#[test]
fn buffers_stay_within_their_caps_and_overflow_is_counted() {
    let _turn = turn();
    let before = stats();
    let (exporter, guard) = in_memory(
        TailSampling::ratio(0.0)
            .max_buffered_spans(50)
            .max_spans_per_trace(20),
    );
    // 60 children under one root, more than a trace may buffer: decided
    // early, on the first 21 children (the third of which failed).
    assert_eq!(wide(60), 54);
    guard.flush().expect("flush");
    let after = stats();
    assert!(after.overflow_decisions > before.overflow_decisions);
    let spans = exporter.get_finished_spans().unwrap();
    // Child 3 failed, so the early decision kept the trace and every later
    // span follows it: the whole trace arrives.
    assert_eq!(spans.len(), 61, "{:?}", by_trace(&spans));
    drop(guard);
}

#[test]
fn tail_mode_from_the_environment_records_even_with_always_off() {
    let _turn = turn();
    let exporter = InMemorySpanExporter::default();
    let guard = Config::from_lookup(|name| {
        match name {
            "STACK_TRACE_TAIL_SAMPLING" => Some("true"),
            "OTEL_TRACES_SAMPLER" => Some("always_off"),
            _ => None,
        }
        .map(str::to_owned)
    })
    .exporter(exporter.clone())
    .console(false)
    .try_init()
    .expect("install");
    let traces: Vec<(usize, String)> = (0..20).map(|i| (i, job(i * 10 + 1))).collect();
    let failed = job(3);
    guard.flush().expect("flush");
    let exported = by_trace(&exporter.get_finished_spans().unwrap());
    assert_eq!(exported.len(), 1, "only the failed trace, ratio 0");
    assert!(exported.contains_key(&failed));
    assert!(traces.iter().all(|(_, t)| !exported.contains_key(t)));
    drop(guard);
}

// --- Against a real Phoenix -------------------------------------------------

#[tool]
async fn fetch(i: usize) -> Result<usize, std::io::Error> {
    if i % 17 == 3 {
        Err(std::io::Error::other("backend refused"))
    } else {
        Ok(i)
    }
}

#[llm]
async fn answer(i: usize) -> String {
    if i % 23 == 7 {
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    format!("answer {i}")
}

#[agent]
async fn serve(i: usize) -> String {
    tokio::spawn(in_current_span(audit(i)));
    let _ = fetch(i).await;
    let _ = fetch(i + 1000).await;
    let _ = answer(i).await;
    current_trace_id().expect("inside a span").to_string()
}

#[test]
fn phoenix_receives_exactly_failed_slow_and_ratio_traces_whole() {
    const N: usize = 150;
    const RATIO: f64 = 0.2;
    let _turn = turn();
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("tail-sampling");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let traces = rt.block_on(async {
        let guard = Config::default()
            .endpoint(phoenix.base_url())
            .project_name(&project)
            .console(false)
            .scheduled_delay(Duration::from_millis(100))
            .tail_sampling(TailSampling::ratio(RATIO).latency_threshold(Duration::from_millis(300)))
            .try_init()
            .expect("init");
        let mut traces = Vec::new();
        for i in 0..N {
            traces.push((i, serve(i).await));
        }
        tokio::time::sleep(Duration::from_millis(200)).await; // the last audits
        drop(guard);
        traces
    });
    let failed = |i: usize| i % 17 == 3 || (i + 1000) % 17 == 3;
    let slow = |i: usize| i % 23 == 7;
    let expected: BTreeSet<&str> = traces
        .iter()
        .filter(|(i, t)| failed(*i) || slow(*i) || in_ratio(t, RATIO))
        .map(|(_, t)| t.as_str())
        .collect();
    let ordinary_kept = traces
        .iter()
        .filter(|(i, t)| !failed(*i) && !slow(*i) && in_ratio(t, RATIO))
        .count();
    let ordinary = traces
        .iter()
        .filter(|(i, _)| !failed(*i) && !slow(*i))
        .count();
    assert!(
        ordinary_kept * 100 >= ordinary * 5 && ordinary_kept * 100 <= ordinary * 40,
        "about {RATIO} of {ordinary}: {ordinary_kept}"
    );
    let spans = phoenix.spans(&project, 5 * expected.len(), Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(500));
    let spans = if spans.len() == 5 * expected.len() {
        phoenix.spans(&project, 5 * expected.len(), Duration::from_secs(1))
    } else {
        spans
    };
    let mut arrived: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for span in &spans {
        arrived
            .entry(
                span["context"]["trace_id"]
                    .as_str()
                    .expect("trace id")
                    .to_owned(),
            )
            .or_default()
            .push(span["name"].as_str().expect("name").to_owned());
    }
    assert_eq!(
        arrived.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        expected,
        "exactly the failed, slow and ratio traces"
    );
    for (trace, names) in &mut arrived {
        names.sort();
        assert_eq!(
            names,
            &["answer", "audit", "fetch", "fetch", "serve"],
            "trace {trace} whole"
        );
    }
    let statuses: Vec<&str> = spans
        .iter()
        .filter(|s| s["name"] == "fetch" && s["status_code"] == "ERROR")
        .filter_map(|s| s["status_message"].as_str())
        .collect();
    assert_eq!(
        statuses.len(),
        (0..N).filter(|&i| i % 17 == 3).count() + (0..N).filter(|&i| (i + 1000) % 17 == 3).count()
    );
}

/// Annotates its own span while it runs, then fails or not.
#[agent]
fn judged(fail: bool) -> Result<String, std::io::Error> {
    let me = stack_trace_runtime::current_span()
        .span_id()
        .expect("recorded in tail mode");
    stack_trace_runtime::annotate(
        me,
        stack_trace_runtime::Annotation::new("judged").label(if fail { "failed" } else { "fine" }),
    )
    .expect("valid");
    if fail {
        Err(std::io::Error::other("judged a failure"))
    } else {
        Ok(me.span_id())
    }
}

#[test]
fn annotations_follow_the_tail_decision() {
    let _turn = turn();
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("tail-annotations");
    let guard = Config::default()
        .endpoint(phoenix.base_url())
        .project_name(&project)
        .console(false)
        .scheduled_delay(Duration::from_millis(100))
        .shutdown_timeout(Duration::from_secs(30))
        .tail_sampling(TailSampling::ratio(0.0))
        .try_init()
        .expect("init");
    let before = stats();
    // Discarded by the tail sampler (ordinary, ratio 0): dropped and counted.
    let kept_out = judged(false).expect("ok");
    // Kept (it failed): its annotation waited in the outbox until the trace
    // was decided and exported, then arrived.
    let _ = judged(true);
    guard.flush().expect("flush");
    let after = stats();
    assert_eq!(
        after.annotations_dropped - before.annotations_dropped,
        1,
        "{after:#?}"
    );
    assert_eq!(
        after.annotations_sent - before.annotations_sent,
        1,
        "{after:#?}"
    );
    let spans = phoenix.spans(&project, 1, Duration::from_secs(20));
    assert_eq!(spans.len(), 1, "{spans:#?}");
    let failed = spans[0]["context"]["span_id"].as_str().unwrap();
    assert_ne!(failed, kept_out);
    let got = phoenix.annotations(&project, "span", &[failed], 1, Duration::from_secs(20));
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0]["result"]["label"], "failed");
    drop(guard);
}

/// Annotates its own (sampled-out) span.
#[agent]
fn unsampled_job() -> Option<stack_trace_runtime::SpanHandle> {
    let me = stack_trace_runtime::current_span().span_id()?;
    stack_trace_runtime::annotate(me, stack_trace_runtime::Annotation::new("never").score(1.0))
        .ok()?;
    Some(me)
}

#[test]
fn annotations_on_head_sampled_out_spans_are_dropped_and_counted() {
    let _turn = turn();
    let phoenix = Phoenix::shared();
    let guard = Config::default()
        .endpoint(phoenix.base_url())
        .project_name(Phoenix::unique_project("head-sampled-out"))
        .console(false)
        .sampling(stack_trace_runtime::Sampling::TraceIdRatio(0.0))
        .try_init()
        .expect("init");
    let before = stats();
    let handle = unsampled_job().expect("a sampled-out span still has ids");
    assert_eq!(handle.sampled(), Some(false));
    guard.flush().expect("flush");
    let after = stats();
    assert_eq!(after.annotations - before.annotations, 1);
    assert_eq!(after.annotations_dropped - before.annotations_dropped, 1);
    assert_eq!(after.annotations_sent, before.annotations_sent);
    drop(guard);
}
