//! Annotations against a real Phoenix (the test run's server): span, trace,
//! session and document annotations arrive with every field; an upsert by
//! identifier updates the stored annotation; an annotation made inside its
//! span, before the span was exported, still arrives; feedback by a trace
//! id parsed back from hex arrives; annotations on spans that were never
//! exported are dropped and counted; bad input is refused with a clear
//! error; from sync code and from both tokio runtimes.
//!
//! One test function: tracing is installed once per process.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use stack_trace::phoenix::Phoenix;
use stack_trace_runtime::{
    Annotation, AnnotationError, AnnotatorKind, Config, Evaluation, SpanHandle, StoredSpan, Target,
    TraceHandle, agent, annotate, current_span, current_trace_id, evaluator, llm, retriever,
    using_session,
};

#[derive(Serialize)]
struct Document {
    id: String,
    score: f64,
    content: String,
}

/// The last retriever span, as a client would learn it.
static LAST_SEARCH: std::sync::Mutex<Option<SpanHandle>> = std::sync::Mutex::new(None);

#[retriever]
fn search(query: &str) -> Vec<Document> {
    *LAST_SEARCH.lock().unwrap() = current_span().span_id();
    (0..3)
        .map(|i| Document {
            id: format!("doc-{i}"),
            score: 1.0 - f64::from(i) / 10.0,
            content: format!("{query} #{i}"),
        })
        .collect()
}

/// What one run of the agent hands back for annotating.
struct Run {
    agent: SpanHandle,
    retriever: SpanHandle,
    trace: TraceHandle,
}

#[agent]
fn answer(question: &str) -> Run {
    // Annotated while the span is still open: sent after it was exported.
    let me = current_span().span_id().expect("recorded");
    annotate(
        me,
        Annotation::new("early")
            .label("made-inside")
            .annotator(AnnotatorKind::Code),
    )
    .expect("valid");
    assert_eq!(search(question).len(), 3);
    Run {
        agent: me,
        retriever: LAST_SEARCH.lock().unwrap().expect("recorded"),
        trace: current_trace_id().expect("in a trace"),
    }
}

#[agent]
async fn answer_async(question: String) -> SpanHandle {
    tokio::task::yield_now().await;
    let me = current_span().span_id().expect("recorded");
    annotate(me, Annotation::new("async").score(1.0)).expect("valid");
    let _ = question;
    me
}

/// A heuristic evaluator (CODE): bound to the span that ended just before
/// it, the agent run it follows.
#[evaluator]
fn concise(answer: &Run) -> bool {
    answer.agent.span_id().len() == 16
}

#[llm]
fn judge_model(prompt: &str) -> String {
    if prompt.contains("doc-") {
        "relevant"
    } else {
        "unrelated"
    }
    .to_owned()
}

/// An LLM-as-judge evaluator (LLM: an `#[llm]` call ran inside it).
#[evaluator]
fn judged_relevance(question: &str) -> Evaluation {
    let verdict = judge_model(question);
    Evaluation::score(if verdict == "relevant" { 1.0 } else { 0.0 })
        .label(verdict)
        .explanation("asked the judge model")
}

/// An offline evaluator over spans read back from Phoenix: bound to the
/// span it is given.
#[evaluator(name = "has_kind")]
fn offline(span: &StoredSpan) -> Option<Evaluation> {
    (!span.span_kind.is_empty()).then(|| Evaluation::labelled(span.span_kind.clone()))
}

#[agent]
async fn answer_then_judge(question: String) -> (SpanHandle, SpanHandle) {
    let first = answer_async(question.clone()).await;
    let _ = judged_relevance(&question);
    (current_span().span_id().expect("recorded"), first)
}

fn wait_for(phoenix: &Phoenix, project: &str, kind: &str, id: &str, n: usize) -> Vec<Value> {
    phoenix.annotations(project, kind, &[id], n, Duration::from_secs(30))
}

fn named<'a>(annotations: &'a [Value], name: &str) -> &'a Value {
    annotations
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no annotation {name:?} among {annotations:#?}"))
}

#[test]
fn annotations_arrive_in_phoenix() {
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("annotations");
    let session = format!("session-{project}");
    let guard = Config::default()
        .endpoint(phoenix.base_url())
        .project_name(&project)
        .console(false)
        .shutdown_timeout(Duration::from_secs(40))
        .try_init()
        .expect("init");
    let before = stack_trace_runtime::stats();

    let run = {
        let _session = using_session(&session);
        answer("which database for a small app?")
    };

    // Every target, every field. The trace id comes back as the hex a
    // client would return, as feedback on another request would.
    let trace: TraceHandle = run.trace.to_string().parse().expect("hex parses");
    let started = Instant::now();
    annotate(
        run.agent,
        Annotation::new("correctness")
            .score(0.75)
            .label("mostly")
            .explanation("one claim is unsupported")
            .metadata("prompt_version", "v2")
            .metadata(
                "judge",
                json!({"model": "gpt-4o", "api_key": "sk-live-do-not-send"}),
            )
            .identifier("judge-1")
            .annotator(AnnotatorKind::Llm),
    )
    .unwrap();
    annotate(
        trace,
        Annotation::new("user_feedback")
            .label("thumbs_down")
            .score(0.0)
            .explanation("quoted an old policy"),
    )
    .unwrap();
    annotate(
        Target::session(&session),
        Annotation::new("resolved")
            .label("yes")
            .annotator(AnnotatorKind::Code),
    )
    .unwrap();
    for (position, relevance) in [(0, 1.0), (1, 0.0), (2, 1.0)] {
        annotate(
            Target::document(run.retriever, position),
            Annotation::new("relevance")
                .score(relevance)
                .label(if relevance > 0.5 {
                    "relevant"
                } else {
                    "unrelated"
                })
                .annotator(AnnotatorKind::Llm),
        )
        .unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "annotate only queues: {:?}",
        started.elapsed()
    );

    // An evaluator right after the run, with no extra code: bound to the
    // agent's span; another with an LLM judge inside, on the same span.
    assert!(concise(&run));
    let _ = judged_relevance("doc-1 about databases");

    // Bad input: refused at once, nothing queued.
    let span = run.agent;
    let refused = [
        (Target::from(span), Annotation::new("note").label("x")),
        (Target::from(span), Annotation::new("").score(1.0)),
        (Target::from(span), Annotation::new("q").score(f64::NAN)),
        (Target::from(span), Annotation::new("q")),
        (
            Target::document(span, 0),
            Annotation::new("q").score(1.0).identifier("i"),
        ),
    ];
    for (target, annotation) in refused {
        let error = annotate(target, annotation).expect_err("refused");
        assert!(!error.to_string().is_empty());
    }
    assert!(matches!(
        "not-hex".parse::<TraceHandle>(),
        Err(AnnotationError::InvalidId { .. })
    ));

    // Sync code above; both tokio runtimes here.
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(answer_async("current-thread".into()));
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::spawn(answer_async("multi-thread".into()))
                .await
                .unwrap()
        });

    // An evaluator inside an agent, after a child ran: bound to that child.
    let (outer, inner) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(answer_then_judge("doc-2".into()));

    guard.flush().expect("flush delivers within the cap");

    let agent_id = run.agent.span_id();
    let on_agent = wait_for(phoenix, &project, "span", &agent_id, 2);
    let correctness = named(&on_agent, "correctness");
    assert_eq!(correctness["annotator_kind"], "LLM");
    assert_eq!(correctness["identifier"], "judge-1");
    assert_eq!(correctness["result"]["score"], 0.75);
    assert_eq!(correctness["result"]["label"], "mostly");
    assert_eq!(
        correctness["result"]["explanation"],
        "one claim is unsupported"
    );
    assert_eq!(correctness["metadata"]["prompt_version"], "v2");
    assert_eq!(correctness["metadata"]["judge"]["model"], "gpt-4o");
    assert!(
        !correctness.to_string().contains("sk-live-do-not-send"),
        "credentials are scrubbed from metadata: {correctness}"
    );
    let heuristic = named(&on_agent, "concise");
    assert_eq!(heuristic["annotator_kind"], "CODE");
    assert_eq!(heuristic["result"]["score"], 1.0);
    assert_eq!(heuristic["result"]["label"], "pass");
    assert!(heuristic["metadata"]["evaluator_span"].as_str().is_some());
    let judged = named(&on_agent, "judged_relevance");
    assert_eq!(judged["annotator_kind"], "LLM");
    assert_eq!(judged["result"]["label"], "relevant");
    assert_eq!(judged["result"]["explanation"], "asked the judge model");
    let on_inner = wait_for(phoenix, &project, "span", &inner.span_id(), 2);
    assert_eq!(named(&on_inner, "judged_relevance")["result"]["score"], 1.0);
    assert!(
        wait_for(phoenix, &project, "span", &outer.span_id(), 0)
            .iter()
            .all(|a| a["name"] != "judged_relevance")
    );
    let early = named(&on_agent, "early");
    assert_eq!(early["result"]["label"], "made-inside");
    assert_eq!(early["annotator_kind"], "CODE");

    let on_trace = wait_for(phoenix, &project, "trace", &trace.to_string(), 1);
    let feedback = named(&on_trace, "user_feedback");
    assert_eq!(feedback["annotator_kind"], "HUMAN");
    assert_eq!(feedback["result"]["label"], "thumbs_down");
    assert_eq!(feedback["result"]["score"], 0.0);
    assert_eq!(feedback["trace_id"], trace.to_string());

    let on_session = wait_for(phoenix, &project, "session", &session, 1);
    assert_eq!(named(&on_session, "resolved")["result"]["label"], "yes");

    for handle in [current, multi] {
        let got = wait_for(phoenix, &project, "span", &handle.span_id(), 1);
        assert_eq!(named(&got, "async")["result"]["score"], 1.0);
    }

    // Documents: GraphQL only, with the retrieval metrics Phoenix computes.
    let spans = phoenix.spans(&project, 4, Duration::from_secs(30));
    let retriever = spans
        .iter()
        .find(|s| s["context"]["span_id"] == run.retriever.span_id())
        .expect("the retriever span is stored");
    let node = retriever["id"].as_str().expect("REST id is the node id");
    let (documents, metrics) = phoenix.document_annotations(node, "relevance");
    let mut positions: Vec<(i64, f64, String)> = documents
        .iter()
        .map(|d| {
            assert_eq!(d["name"], "relevance");
            assert_eq!(d["annotatorKind"], "LLM");
            assert_eq!(d["identifier"], "");
            (
                d["documentPosition"].as_i64().unwrap(),
                d["score"].as_f64().unwrap(),
                d["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    positions.sort_by_key(|p| p.0);
    assert_eq!(
        positions,
        [
            (0, 1.0, "relevant".to_owned()),
            (1, 0.0, "unrelated".to_owned()),
            (2, 1.0, "relevant".to_owned())
        ]
    );
    assert_eq!(metrics.len(), 1, "{metrics:#?}");
    assert_eq!(metrics[0]["hit"], 1.0);

    // An upsert: the same name and identifier update the annotation.
    annotate(
        run.agent,
        Annotation::new("correctness")
            .score(1.0)
            .label("correct")
            .identifier("judge-1")
            .annotator(AnnotatorKind::Llm),
    )
    .unwrap();
    guard.flush().expect("flush");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = wait_for(phoenix, &project, "span", &agent_id, 2);
        let all: Vec<&Value> = now.iter().filter(|a| a["name"] == "correctness").collect();
        assert_eq!(all.len(), 1, "updated, not added: {now:#?}");
        if all[0]["result"]["label"] == "correct" {
            assert_eq!(all[0]["result"]["score"], 1.0);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the upsert did not arrive: {now:#?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Reading the trace and its annotations back, as an offline evaluator
    // does: from sync code and from inside an async runtime.
    let reader = Config::default()
        .phoenix_url(phoenix.base_url())
        .phoenix_client()
        .expect("a base URL");
    let stored = reader.trace(&project, &trace).expect("read the trace");
    assert_eq!(stored.len(), 2, "{stored:#?}");
    // Offline: an evaluator over the spans read back binds to each.
    for span in &stored {
        let _ = offline(span);
    }
    guard.flush().expect("flush");
    for span in &stored {
        let got = wait_for(phoenix, &project, "span", &span.handle.span_id(), 1);
        assert_eq!(
            named(&got, "has_kind")["result"]["label"],
            span.span_kind.as_str()
        );
    }
    assert_eq!(
        stored[0].handle, run.agent,
        "in start order: the agent first"
    );
    assert_eq!(stored[0].span_kind, "AGENT");
    assert_eq!(
        stored[1].attribute("retrieval.documents.1.document.id"),
        Some(&json!("doc-1"))
    );
    let read_async = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async { reader.span_annotations(&project, &[run.agent]) })
        .expect("read annotations inside a runtime");
    assert!(read_async.iter().any(|a| a["name"] == "early"));
    let feedback = reader.trace_annotations(&project, &[trace]).unwrap();
    assert_eq!(feedback.len(), 1);
    assert_eq!(
        reader
            .session_annotations(&project, &[&session])
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        reader.trace("no-such-project-here", &trace),
        Err(stack_trace_runtime::ReadError::Status { status: 404, .. })
    ));

    let after = stack_trace_runtime::stats();
    let sent = after.annotations_sent - before.annotations_sent;
    assert_eq!(sent, 16, "{after:#?}");
    assert_eq!(after.annotations - before.annotations, 16);
    assert_eq!(after.annotations_dropped, before.annotations_dropped);
    drop(guard);
}
