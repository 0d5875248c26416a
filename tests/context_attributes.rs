//! Context attributes: set once for a scope, carried by every span started
//! inside it, across `.await` and into spawned tasks that carry the context.

use opentelemetry::trace::{
    FutureExt as _, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Array, StringValue, Value};
use stack_trace::testing::{attr, attr_str, in_root, install, named, spans_of};
use stack_trace_runtime::{
    ContextAttributes, agent, current_span, in_current_span, llm, tool, using_session,
};

#[tool]
fn lookup(city: &str) -> String {
    format!("sunny in {city}")
}

#[llm]
fn chat(prompt: &str) -> String {
    current_span().set_attribute("user.id", "set-by-hand");
    lookup(prompt)
}

#[test]
fn sync_scopes_nest_per_key_and_reach_every_span() {
    let (trace, _) = in_root(|| {
        let _outer = ContextAttributes::new()
            .session_id("sess-42")
            .user_id("user-7")
            .metadata(&serde_json::json!({"tenant": "acme"}))
            .tags(["weather", "beta"])
            .prompt_template(
                "Weather in {city}?",
                "v3",
                &serde_json::json!({"city": "Paris"}),
            )
            .attach();
        lookup("Oslo");
        {
            let _inner = ContextAttributes::new().user_id("user-8").attach();
            chat("Paris");
        }
        // A plain OpenTelemetry span inside the scope gets them too.
        let tracer = opentelemetry::global::tracer_provider().tracer("raw");
        tracer.in_span("raw-span", |_| {});
    });
    let spans = spans_of(&trace, 5);
    let first_lookup = spans
        .iter()
        .filter(|s| s.name == "lookup")
        .min_by_key(|s| s.start_time)
        .unwrap();
    assert_eq!(attr_str(first_lookup, "session.id"), "sess-42");
    assert_eq!(attr_str(first_lookup, "user.id"), "user-7");
    assert_eq!(attr_str(first_lookup, "metadata"), r#"{"tenant":"acme"}"#);
    assert_eq!(
        attr(first_lookup, "tag.tags"),
        Some(&Value::Array(Array::String(vec![
            StringValue::from("weather"),
            StringValue::from("beta")
        ])))
    );
    assert_eq!(
        attr_str(first_lookup, "llm.prompt_template.template"),
        "Weather in {city}?"
    );
    assert_eq!(attr_str(first_lookup, "llm.prompt_template.version"), "v3");
    assert_eq!(
        attr_str(first_lookup, "llm.prompt_template.variables"),
        r#"{"city":"Paris"}"#
    );
    let chat = named(&spans, "chat");
    assert_eq!(attr_str(chat, "session.id"), "sess-42", "inherited");
    assert_eq!(
        attr_str(chat, "user.id"),
        "set-by-hand",
        "hand-set wins over context"
    );
    assert_eq!(
        chat.attributes
            .iter()
            .filter(|kv| kv.key.as_str() == "user.id")
            .count(),
        1
    );
    let inner_lookup = spans
        .iter()
        .filter(|s| s.name == "lookup")
        .max_by_key(|s| s.start_time)
        .unwrap();
    assert_eq!(
        attr_str(inner_lookup, "user.id"),
        "user-8",
        "inner scope wins"
    );
    assert_eq!(attr_str(named(&spans, "raw-span"), "session.id"), "sess-42");
    assert!(
        attr(named(&spans, "test-root"), "session.id").is_none(),
        "started before the scope"
    );
}

#[agent]
async fn handle(request: String) -> usize {
    tokio::task::yield_now().await;
    let spawned = tokio::spawn(in_current_span(async { lookup("spawned") }))
        .await
        .unwrap();
    request.len() + spawned.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_scope_crosses_awaits_and_spawned_tasks() {
    install();
    let tracer = opentelemetry::global::tracer_provider().tracer("tests");
    let cx = opentelemetry::Context::current_with_span(tracer.start("root"));
    let trace = cx.span().span_context().trace_id().to_string();
    // `scope` takes the context current where it is called (here: inside the root).
    async {
        ContextAttributes::new()
            .session_id("async-session")
            .scope(handle("hello".into()))
            .await
    }
    .with_context(cx.clone())
    .await;
    cx.span().end();
    let spans = spans_of(&trace, 3);
    assert_eq!(
        attr_str(named(&spans, "handle"), "session.id"),
        "async-session"
    );
    assert_eq!(
        attr_str(named(&spans, "lookup"), "session.id"),
        "async-session"
    );
}

#[test]
fn using_session_shorthand() {
    let (trace, _) = in_root(|| {
        let _session = using_session("short");
        lookup("x")
    });
    let spans = spans_of(&trace, 2);
    assert_eq!(attr_str(named(&spans, "lookup"), "session.id"), "short");
}

#[agent(session_id = session, user_id = user)]
fn handle_request(session: &str, user: u64, text: &str) -> usize {
    lookup(text).len()
}

#[agent(session_id = session)]
async fn handle_async(session: String, text: String) -> usize {
    tokio::task::yield_now().await;
    lookup(&text).len()
}

#[test]
fn session_and_user_from_parameters_reach_the_span_and_its_children() {
    let (trace, _) = in_root(|| {
        let _outer = using_session("outer-session");
        handle_request("sess-from-param", 42, "Oslo")
    });
    let spans = spans_of(&trace, 3);
    for name in ["handle_request", "lookup"] {
        let s = named(&spans, name);
        assert_eq!(attr_str(s, "session.id"), "sess-from-param", "{name}");
        assert_eq!(attr_str(s, "user.id"), "42", "{name}");
        assert_eq!(
            s.attributes
                .iter()
                .filter(|kv| kv.key.as_str() == "session.id")
                .count(),
            1
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn session_from_a_parameter_in_async_code() {
    install();
    let tracer = opentelemetry::global::tracer_provider().tracer("tests");
    let cx = opentelemetry::Context::current_with_span(tracer.start("root"));
    let trace = cx.span().span_context().trace_id().to_string();
    handle_async("async-param".into(), "x".into())
        .with_context(cx.clone())
        .await;
    cx.span().end();
    let spans = spans_of(&trace, 3);
    assert_eq!(
        attr_str(named(&spans, "handle_async"), "session.id"),
        "async-param"
    );
    assert_eq!(
        attr_str(named(&spans, "lookup"), "session.id"),
        "async-param"
    );
}
