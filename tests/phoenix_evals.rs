//! The tutorial's question, answered end to end: `examples/evals.rs` runs
//! two prompt versions over a dozen questions against a real Phoenix,
//! scores every answer with an `#[evaluator]`, rates every retrieved
//! document, and records user feedback by trace id. This test reads it all
//! back (REST for span and trace annotations, GraphQL for documents) and
//! computes the mean score per prompt version from what Phoenix stored.

use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use stack_trace::phoenix::{Phoenix, attribute};
use stack_trace::testing::example;

const RUNS: usize = 24;

#[test]
fn mean_score_per_prompt_version_from_phoenix() {
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("evals-example");
    let out = Command::new(example("evals"))
        .env("PHOENIX_COLLECTOR_ENDPOINT", phoenix.base_url())
        .env("PHOENIX_PROJECT_NAME", &project)
        .env("STACK_TRACE_CONSOLE", "false")
        .env("STACK_TRACE_SHUTDOWN_TIMEOUT_MS", "40000")
        .env_remove("PHOENIX_API_KEY")
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        !stderr.contains("stack-trace:"),
        "nothing refused or dropped: {stderr}"
    );
    let runs: Vec<(&str, &str)> = stdout
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ' ');
            let version = parts.next()?;
            let trace = parts.next().filter(|t| t.len() == 32)?;
            Some((version, trace))
        })
        .collect();
    assert_eq!(runs.len(), RUNS, "{stdout}");
    let printed_mean = |version: &str| -> f64 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("mean grounded score {version}: ")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no mean for {version}: {stdout}"))
    };

    // Every span of the 24 runs and the 24 evaluator runs.
    let spans = phoenix.spans(&project, 4 * RUNS, Duration::from_secs(60));
    let agents: Vec<&Value> = spans.iter().filter(|s| s["name"] == "answer").collect();
    assert_eq!(agents.len(), RUNS);
    // The prompt version each trace ran with, from its LLM span.
    let version_of: HashMap<&str, &str> = spans
        .iter()
        .filter(|s| s["name"] == "complete")
        .map(|s| {
            (
                s["context"]["trace_id"].as_str().unwrap(),
                attribute(s, "llm.prompt_template.version")
                    .and_then(Value::as_str)
                    .expect("the LLM span carries the prompt version"),
            )
        })
        .collect();
    for (version, trace) in &runs {
        assert_eq!(version_of.get(trace), Some(version));
    }

    // The evaluator's scores, on the agent spans, read back through REST.
    let agent_ids: Vec<&str> = agents
        .iter()
        .map(|s| s["context"]["span_id"].as_str().unwrap())
        .collect();
    let annotations =
        phoenix.annotations(&project, "span", &agent_ids, RUNS, Duration::from_secs(60));
    let grounded: Vec<&Value> = annotations
        .iter()
        .filter(|a| a["name"] == "grounded")
        .collect();
    assert_eq!(grounded.len(), RUNS, "{annotations:#?}");
    let trace_of: HashMap<&str, &str> = agents
        .iter()
        .map(|s| {
            (
                s["context"]["span_id"].as_str().unwrap(),
                s["context"]["trace_id"].as_str().unwrap(),
            )
        })
        .collect();
    let mut per_version: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for a in &grounded {
        assert_eq!(a["annotator_kind"], "CODE");
        let span = a["span_id"].as_str().unwrap();
        let version = version_of[trace_of[span]];
        per_version
            .entry(version)
            .or_default()
            .push(a["result"]["score"].as_f64().unwrap());
    }
    for (version, scores) in &per_version {
        assert_eq!(scores.len(), 12);
        #[allow(clippy::cast_precision_loss)]
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        assert!(
            (mean - printed_mean(version)).abs() < 0.006,
            "{version}: Phoenix's mean {mean} matches the example's"
        );
    }
    let worst = per_version
        .iter()
        .map(|(v, s)| (v, s.iter().sum::<f64>()))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    assert_eq!(*worst.0, "v1", "the question answered: v1 scores worst");

    // User feedback on six traces, by trace id.
    let traces: Vec<&str> = runs.iter().map(|(_, t)| *t).collect();
    let feedback = phoenix.annotations(&project, "trace", &traces, 6, Duration::from_secs(30));
    assert_eq!(feedback.len(), 6, "{feedback:#?}");
    for f in &feedback {
        assert_eq!(f["name"], "user_feedback");
        assert_eq!(f["annotator_kind"], "HUMAN");
        let version = version_of[f["trace_id"].as_str().unwrap()];
        let expected = if version == "v2" {
            "thumbs_up"
        } else {
            "thumbs_down"
        };
        assert_eq!(f["result"]["label"], expected);
    }

    // Document relevance: one annotation per retrieved document (GraphQL),
    // and the retrieval metrics Phoenix computed from them.
    let retrievers: Vec<&Value> = spans.iter().filter(|s| s["name"] == "search").collect();
    assert_eq!(retrievers.len(), RUNS);
    let mut rated = 0;
    for retriever in retrievers.iter().take(4) {
        let documents = (0..)
            .take_while(|i| {
                attribute(retriever, &format!("retrieval.documents.{i}.document.id")).is_some()
            })
            .count();
        let node = retriever["id"].as_str().unwrap();
        let (annotations, metrics) = phoenix.document_annotations(node, "relevance");
        assert_eq!(annotations.len(), documents, "{annotations:#?}");
        for a in &annotations {
            assert_eq!(a["name"], "relevance");
            assert_eq!(a["annotatorKind"], "LLM", "a model judged");
            assert!(a["score"].as_f64().is_some());
        }
        assert_eq!(metrics.len(), 1, "{metrics:#?}");
        rated += annotations.len();
    }
    assert!(rated > 0);
}
