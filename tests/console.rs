//! The console waterfall, end to end: a child process (this test binary,
//! re-run) calls `init()` with no endpoint in its environment and runs an
//! agent; the parent reads the tree from the child's stderr.

use std::process::Command;

use stack_trace_runtime::{agent, llm, retriever, tool};

#[retriever]
fn search_index(query: &str) -> Vec<String> {
    vec![format!("doc about {query}")]
}

#[tool]
fn search_docs(query: &str) -> usize {
    search_index(query).len()
}

#[tool]
fn fetch_chunk(id: &str) -> Result<String, std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("chunk {id} is gone"),
    ))
}

#[llm]
fn chat(turn: u8) -> String {
    std::thread::sleep(std::time::Duration::from_millis(2));
    format!("turn {turn}")
}

struct Agent;

impl Agent {
    #[agent]
    fn run(&self, goal: &str) -> String {
        let _ = chat(0);
        let _ = search_docs(goal);
        let _ = fetch_chunk("c-9");
        chat(1)
    }
}

const CHILD: &str = "STACK_TRACE_TEST_CONSOLE_CHILD";

fn run_child(test: &str, envs: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    for var in [
        "PHOENIX_COLLECTOR_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "STACK_TRACE_CONSOLE",
        "OTEL_SDK_DISABLED",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("child runs");
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).expect("utf-8 stderr")
}

#[test]
fn waterfall_prints_the_tree_on_stderr_without_a_server() {
    if std::env::var_os(CHILD).is_some() {
        let _guard = stack_trace_runtime::init();
        let _ = Agent.run("sqlite");
        return;
    }
    let stderr = run_child("waterfall_prints_the_tree_on_stderr_without_a_server", &[]);
    let lines: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("── trace "))
        .take(7)
        .collect();
    assert_eq!(lines.len(), 7, "{stderr}");
    assert!(
        lines[0].starts_with("── trace ") && lines[0].ends_with(" ──"),
        "{stderr}"
    );
    let columns = |line: &str| -> (String, String) {
        let rest = &line[10..];
        let indent = rest.len() - rest.trim_start().len();
        let name = rest.trim_start().split("  ").next().unwrap_or("");
        (
            line[..9].trim().to_owned(),
            format!("{}{name}", " ".repeat(indent)),
        )
    };
    let expected = [
        ("AGENT", "Agent::run"),
        ("LLM", "  chat"),
        ("TOOL", "  search_docs"),
        ("RETRIEVER", "    search_index"),
        ("TOOL", "  fetch_chunk"),
        ("LLM", "  chat"),
    ];
    for (line, (kind, name)) in lines[1..].iter().zip(expected) {
        let (k, n) = columns(line);
        assert_eq!((k.as_str(), n.as_str()), (kind, name), "{stderr}");
    }
    assert!(
        lines[5].contains("ERROR io::Error: chunk c-9 is gone"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "no colours when stderr is not a terminal"
    );
}

#[test]
fn waterfall_stays_off_when_an_endpoint_is_set_unless_asked() {
    if std::env::var_os(CHILD).is_some() {
        let _guard = stack_trace_runtime::init();
        let _ = Agent.run("x");
        return;
    }
    // Nothing listens on port 9; export fails quietly, the program is unaffected.
    let quiet = run_child(
        "waterfall_stays_off_when_an_endpoint_is_set_unless_asked",
        &[
            ("PHOENIX_COLLECTOR_ENDPOINT", "http://127.0.0.1:9"),
            ("STACK_TRACE_SHUTDOWN_TIMEOUT_MS", "300"),
        ],
    );
    assert!(!quiet.contains("── trace "), "{quiet}");
    let both = run_child(
        "waterfall_stays_off_when_an_endpoint_is_set_unless_asked",
        &[
            ("PHOENIX_COLLECTOR_ENDPOINT", "http://127.0.0.1:9"),
            ("STACK_TRACE_CONSOLE", "true"),
            ("STACK_TRACE_SHUTDOWN_TIMEOUT_MS", "300"),
        ],
    );
    assert!(both.contains("── trace "), "{both}");
}

#[test]
fn bad_configuration_prints_one_clear_error_and_falls_back_to_the_console() {
    if std::env::var_os(CHILD).is_some() {
        let _guard = stack_trace_runtime::init();
        let _ = Agent.run("x");
        return;
    }
    let stderr = run_child(
        "bad_configuration_prints_one_clear_error_and_falls_back_to_the_console",
        &[("PHOENIX_COLLECTOR_ENDPOINT", "not a url")],
    );
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("stack-trace: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("PHOENIX_COLLECTOR_ENDPOINT=\"not a url\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("── trace "),
        "fell back to the console: {stderr}"
    );
}

#[stack_trace_runtime::agent]
fn graded(question: &str) -> Option<stack_trace_runtime::SpanHandle> {
    let _ = chat(0);
    let _ = question;
    let me = stack_trace_runtime::current_span().span_id()?;
    // Made while the span is open: printed under its row.
    stack_trace_runtime::annotate(
        me,
        stack_trace_runtime::Annotation::new("inside").label("open"),
    )
    .ok()?;
    Some(me)
}

#[test]
fn annotations_print_beside_their_spans_without_a_server() {
    use stack_trace_runtime::{Annotation, AnnotatorKind, annotate};
    if std::env::var_os(CHILD).is_some() {
        let _guard = stack_trace_runtime::init();
        let span = graded("why?").expect("recorded");
        println!("SPAN {span}");
        annotate(
            span,
            Annotation::new("correctness")
                .score(1.0)
                .label("correct")
                .annotator(AnnotatorKind::Code),
        )
        .unwrap();
        annotate(
            span.trace().unwrap(),
            Annotation::new("user_feedback").label("thumbs_up"),
        )
        .unwrap();
        return;
    }
    let stderr = run_child("annotations_print_beside_their_spans_without_a_server", &[]);
    let lines: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("── trace "))
        .collect();
    assert!(lines.len() >= 6, "{stderr}");
    assert!(
        lines[1].starts_with("AGENT") && lines[1].contains("graded"),
        "{stderr}"
    );
    assert_eq!(
        lines[2], "  ✎ inside [HUMAN] (open)",
        "under its row: {stderr}"
    );
    assert!(lines[3..].iter().any(|l| l.starts_with("LLM")), "{stderr}");
    // Made after the span returned: under its row if they reached the export
    // thread before the trace printed, else a line each naming the span.
    let correctness = lines
        .iter()
        .position(|l| l.contains("✎") && l.contains("correctness [CODE] = 1.0 (correct)"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        lines[correctness] == "  ✎ correctness [CODE] = 1.0 (correct)"
            || lines[correctness] == "  ✎ graded: correctness [CODE] = 1.0 (correct)",
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  ✎ trace ")
                && l.ends_with(": user_feedback [HUMAN] (thumbs_up)")),
        "{stderr}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains('✎')).count(),
        3,
        "{stderr}"
    );
}
