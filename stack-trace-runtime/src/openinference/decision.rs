//! `DECISION` spans: which decision model answered (`decision.model_name`,
//! and the requested and responding names when they differ), its provider
//! and system, and the token counts of the response's `usage`.

use opentelemetry::KeyValue;
use serde_json::Value;

use super::keys;
use super::roles::Roles;

/// The attributes of a decision call's outcome: `response` (its result, as
/// JSON; `None` when it gave none), `requested` the model it asked for
/// (a `model` parameter).
pub(crate) fn decision_outcome(
    roles: &Roles,
    response: Option<&Value>,
    requested: Option<&str>,
) -> Vec<KeyValue> {
    let mut out = Vec::new();
    let answered = response
        .and_then(|r| r.get("model"))
        .and_then(Value::as_str);
    super::push_model_names(
        &mut out,
        [
            keys::DECISION_MODEL_NAME,
            keys::DECISION_REQUEST_MODEL_NAME,
            keys::DECISION_RESPONSE_MODEL_NAME,
        ],
        roles.model.or(requested),
        answered,
    );
    if let Some(provider) = roles.provider {
        out.push(KeyValue::new(
            keys::DECISION_PROVIDER,
            provider.to_ascii_lowercase(),
        ));
    }
    if let Some(system) = roles.system {
        out.push(KeyValue::new(
            keys::DECISION_SYSTEM,
            system.to_ascii_lowercase(),
        ));
    }
    let usage = response.and_then(|r| r.get("usage"));
    let count = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|n| usage.and_then(|u| u.get(*n)).and_then(Value::as_i64))
    };
    if let Some(n) = count(["input_tokens", "prompt_tokens"]) {
        out.push(KeyValue::new(keys::DECISION_TOKENS_INPUT, n));
    }
    if let Some(n) = count(["output_tokens", "completion_tokens"]) {
        out.push(KeyValue::new(keys::DECISION_TOKENS_OUTPUT, n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decision_outcome;
    use crate::openinference::test_support::get;
    use crate::openinference::Roles;
    use opentelemetry::Value as OtelValue;
    use serde_json::json;

    #[test]
    fn model_names_provider_system_and_tokens() {
        let roles = Roles {
            provider: Some("TypeSafe"),
            system: Some("typesafe"),
            ..Roles::default()
        };
        let response = json!({"id": "d1", "model": "jev-1-2026-06",
            "answers": [{"type": "choice", "choice": "refund"}],
            "usage": {"input_tokens": 120, "output_tokens": 4}});
        let a = decision_outcome(&roles, Some(&response), Some("jev-latest"));
        assert_eq!(
            get(&a, "decision.model_name"),
            Some(&OtelValue::from("jev-1-2026-06"))
        );
        assert_eq!(
            get(&a, "decision.request.model_name"),
            Some(&OtelValue::from("jev-latest"))
        );
        assert_eq!(
            get(&a, "decision.response.model_name"),
            Some(&OtelValue::from("jev-1-2026-06"))
        );
        assert_eq!(
            get(&a, "decision.provider"),
            Some(&OtelValue::from("typesafe"))
        );
        assert_eq!(
            get(&a, "decision.system"),
            Some(&OtelValue::from("typesafe"))
        );
        assert_eq!(
            get(&a, "decision.token_count.input"),
            Some(&OtelValue::I64(120))
        );
        assert_eq!(
            get(&a, "decision.token_count.output"),
            Some(&OtelValue::I64(4))
        );
        let bare = decision_outcome(&Roles::default(), None, Some("jev-latest"));
        assert_eq!(bare.len(), 1, "{bare:?}");
    }
}
