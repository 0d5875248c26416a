//! A fixed number of calls of one case, for counting instructions with
//! callgrind (which repeats exactly, unlike wall-clock time on a shared
//! machine). Not a criterion benchmark: run it under valgrind.
//!
//! ```text
//! cargo bench --bench instructions --no-run        # prints the binary's path
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null BIN <case> <calls>
//! ```
//! with `<case>` one of `plain`, `annotated`, `hand_written`, `llm10`,
//! `llm10_plain`, `retriever10`, `retriever10_plain`, `prompt64k` and
//! `prompt64k_key` (an `#[llm]` call with a 64 KiB user message, without and
//! with an API key in it), `tail` (the
//! annotated call with tail sampling at 1 %: every span recorded, decided on
//! the export thread, which callgrind counts too). Instructions per
//! call = (total at 12000 calls − total at 2000 calls) / 10000, so set-up and
//! shutdown cancel out. The queue is large enough that nothing is dropped.
//! `disabled` (`set_enabled(false)`) and `always_off` (the head sampler
//! keeps nothing) run the annotated call on the paths that record nothing.
//! `tool` is the same call under `#[tool]`; `llm10_hand` is the `llm10`
//! span written by hand with the OpenTelemetry API (`llm10_sdk`: the same on
//! a plain SDK provider, which scrubs nothing; `hand_written_sdk` likewise
//! for `hand_written`). A `_noscan` suffix
//! turns the scan for credential formats off (`Scrubbing::scan_values`). A case name ending in `_dual`
//! (`llm10_dual`, `tool_dual`) runs it with both conventions
//! (`Conventions::Both`), `_gen_ai` with GenAI alone.

use std::hint::black_box;

use opentelemetry::trace::TracerProvider as _;
use stack_trace::bench_support::{
    DropExporter, big_prompt, chat_annotated, chat_by_hand, chat_plain, search_annotated,
    search_plain, ten_messages, tool_annotated, work, work_annotated, work_by_hand,
};
use stack_trace_runtime::{Config, Conventions, Sampling, Scrubbing, TailSampling};

fn main() {
    let mut args = std::env::args().skip(1);
    let named = args.next().unwrap_or_else(|| "annotated".to_owned());
    let (base, scan) = match named.strip_suffix("_noscan") {
        Some(c) => (c.to_owned(), false),
        None => (named.clone(), true),
    };
    let named_base = base;
    let (case, conventions) = if let Some(c) = named_base.strip_suffix("_dual") {
        (c.to_owned(), Conventions::Both)
    } else if let Some(c) = named_base.strip_suffix("_gen_ai") {
        (c.to_owned(), Conventions::GenAi)
    } else {
        (named_base.clone(), Conventions::OpenInference)
    };
    let calls: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2000);
    let mut config = Config::default()
        .exporter(DropExporter)
        .console(false)
        .max_queue_size(calls + 1024)
        .conventions(conventions)
        .scrubbing(Scrubbing::default().scan_values(scan));
    if case == "tail" {
        config = config.tail_sampling(TailSampling::ratio(0.01));
    }
    if case == "always_off" {
        config = config.sampling(Sampling::AlwaysOff);
    }
    let guard = config.try_init().expect("install");
    // `llm10_sdk`: the hand-written span on a plain OpenTelemetry SDK
    // provider (batch processor, the same dropping exporter), which scrubs
    // nothing. Its queue is as large as ours: with the SDK's default (2,048)
    // the batch thread falls behind and the rest of the spans are dropped
    // unexported, which made the baseline cheaper than the work it stands for.
    let batch = opentelemetry_sdk::trace::BatchSpanProcessor::builder(DropExporter)
        .with_batch_config(
            opentelemetry_sdk::trace::BatchConfigBuilder::default()
                .with_max_queue_size(calls + 1024)
                .build(),
        )
        .build();
    let sdk = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_span_processor(batch)
        .build();
    let tracer = if case == "llm10_sdk" || case == "hand_written_sdk" {
        sdk.tracer("by-hand")
    } else {
        guard.provider().expect("provider").tracer("by-hand")
    };
    if case == "disabled" {
        stack_trace_runtime::set_enabled(false);
    }
    let messages = match case.as_str() {
        "prompt64k" => big_prompt(false),
        "prompt64k_key" => big_prompt(true),
        _ => ten_messages(),
    };
    for _ in 0..calls {
        match case.as_str() {
            "plain" => drop(black_box(work(black_box("rust"), black_box(3)))),
            "llm10" | "prompt64k" | "prompt64k_key" => drop(black_box(chat_annotated(
                black_box("gpt-4o-mini"),
                black_box(&messages),
            ))),
            "llm10_hand" | "llm10_sdk" => drop(black_box(chat_by_hand(
                &tracer,
                black_box("gpt-4o-mini"),
                black_box(&messages),
            ))),
            "llm10_plain" => drop(black_box(chat_plain(
                black_box("gpt-4o-mini"),
                black_box(&messages),
            ))),
            "retriever10" => drop(black_box(search_annotated(black_box("rust")))),
            "tool" => drop(black_box(tool_annotated(black_box("rust"), black_box(3)))),
            "retriever10_plain" => drop(black_box(search_plain(black_box("rust")))),
            "hand_written" | "hand_written_sdk" => drop(black_box(work_by_hand(
                &tracer,
                black_box("rust"),
                black_box(3),
            ))),
            _ => drop(black_box(work_annotated(black_box("rust"), black_box(3)))),
        }
    }
    let _ = sdk.shutdown();
    drop(guard);
    let s = stack_trace_runtime::stats();
    eprintln!("{named}: {calls} calls, stats {s:?}");
}
