//! Scrubbing settings from the environment and from code: names added and
//! exempted, a value pattern, the format scan off, a bad pattern refused.
//! Its own test binary: the settings are process-wide.

use std::time::Duration;

use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use serde::Serialize;
use stack_trace::testing::attr_str;
use stack_trace_runtime::{Config, Error, Scrubbing, chain};

#[derive(Serialize)]
struct Customer {
    name: &'static str,
    user_ssn: &'static str,
    session_token: &'static str,
    note: String,
}

#[chain]
fn lookup(customer: &Customer) -> usize {
    customer.name.len()
}

fn run(config: Config) -> Vec<SpanData> {
    let exporter = InMemorySpanExporter::default();
    let guard = config
        .exporter(exporter.clone())
        .console(false)
        .scheduled_delay(Duration::from_millis(10))
        .try_init()
        .expect("init");
    lookup(&Customer {
        name: "Ada",
        user_ssn: "078-05-1120",
        session_token: "sess-visible-1",
        note: "ticket ACME-12345678 and key sk-Ab12Cd34Ef56Gh78Ij90Kl12".to_owned(),
    });
    guard.flush().expect("flush");
    let spans = exporter.get_finished_spans().expect("spans");
    drop(guard);
    spans
}

#[test]
fn settings_from_the_environment_then_from_code() {
    let vars = [
        ("STACK_TRACE_SCRUB_KEYS", "ssn, card_number"),
        ("STACK_TRACE_SCRUB_ALLOW_KEYS", "session_token"),
        ("STACK_TRACE_SCRUB_PATTERN", r"ACME-[0-9]{8}"),
    ];
    let config = Config::from_lookup(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    });
    let spans = run(config);
    let input = attr_str(&spans[0], "input.value");
    assert_eq!(
        input,
        r#"{"name":"Ada","user_ssn":"__REDACTED__","session_token":"sess-visible-1","note":"ticket __REDACTED__ and key __REDACTED__"}"#
    );

    // From code, the format scan off: keys are still scrubbed.
    let spans = run(Config::default().scrubbing(Scrubbing::default().scan_values(false)));
    let input = attr_str(&spans[0], "input.value");
    assert!(input.contains("sk-Ab12Cd34Ef56Gh78Ij90Kl12"), "{input}");
    assert!(
        input.contains(r#""session_token":"__REDACTED__""#),
        "{input}"
    );

    // Back to the defaults.
    let spans = run(Config::default());
    assert!(!attr_str(&spans[0], "input.value").contains("sk-Ab12"));

    let bad = Config::default()
        .scrubbing(Scrubbing::default().value_pattern("(unclosed"))
        .validate();
    assert!(
        matches!(
            bad,
            Err(Error::InvalidSetting {
                name: "STACK_TRACE_SCRUB_PATTERN",
                ..
            })
        ),
        "{bad:?}"
    );
    let bad = Config::from_lookup(|k| (k == "STACK_TRACE_SCRUB_VALUES").then(|| "nope".to_owned()));
    assert!(bad.validate().is_err());
}
