//! [`Conventions`]: which semantic conventions the spans are written in, set
//! with `Config::conventions` or the environment (`STACK_TRACE_SEMCONV`,
//! `OPENINFERENCE_ENABLE_GENAI_SEMCONV`, `OTEL_SEMCONV_STABILITY_OPT_IN`).

/// Which semantic conventions a span's attributes are written in.
///
/// - [`Conventions::OpenInference`] (the default): OpenInference only, what
///   Arize Phoenix renders.
/// - [`Conventions::GenAi`]: the OpenTelemetry GenAI conventions (semconv
///   v1.41.1, what Datadog, Grafana and Honeycomb draw their LLM views from)
///   in place of the OpenInference keys they translate; span names follow
///   the GenAI rule (`chat gpt-4o`, `execute_tool get_weather`).
/// - [`Conventions::Both`]: both sets of keys on every span; span names stay
///   the function names people see in Phoenix.
///
/// ```
/// use stack_trace_runtime::{Config, Conventions};
///
/// let config = Config::from_lookup(|name| match name {
///     "STACK_TRACE_SEMCONV" => Some("openinference,gen_ai".to_owned()),
///     _ => None,
/// });
/// assert_eq!(config.conventions_in_use(), Conventions::Both);
/// let config = Config::default().conventions(Conventions::GenAi);
/// assert_eq!(config.conventions_in_use(), Conventions::GenAi);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Conventions {
    /// OpenInference keys only.
    #[default]
    OpenInference,
    /// OpenTelemetry GenAI keys only (kinds without a GenAI operation keep
    /// their OpenInference keys).
    GenAi,
    /// Both, side by side.
    Both,
}

impl Conventions {
    /// Whether `gen_ai.*` keys are written.
    #[must_use]
    pub const fn gen_ai(self) -> bool {
        matches!(self, Self::GenAi | Self::Both)
    }

    /// Whether OpenInference keys are kept where a GenAI key translates them.
    #[must_use]
    pub const fn openinference(self) -> bool {
        matches!(self, Self::OpenInference | Self::Both)
    }

    /// Parses `STACK_TRACE_SEMCONV`'s value: `openinference`, `gen_ai`, or
    /// both, comma-separated in any order (case and spaces ignored).
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        let (mut oi, mut gen_ai) = (false, false);
        for item in value.split(',') {
            match item.trim().to_ascii_lowercase().as_str() {
                "openinference" => oi = true,
                "gen_ai" => gen_ai = true,
                _ => return None,
            }
        }
        match (oi, gen_ai) {
            (true, true) => Some(Self::Both),
            (true, false) => Some(Self::OpenInference),
            (false, true) => Some(Self::GenAi),
            (false, false) => None,
        }
    }

    /// The choice from the environment: `STACK_TRACE_SEMCONV` when set (an
    /// unknown value is `Err` with the value); otherwise the default, with
    /// `gen_ai` added by `OPENINFERENCE_ENABLE_GENAI_SEMCONV=true` or by
    /// `gen_ai_latest_experimental` in `OTEL_SEMCONV_STABILITY_OPT_IN`.
    pub(crate) fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, String> {
        if let Some(v) = lookup("STACK_TRACE_SEMCONV").filter(|v| !v.trim().is_empty()) {
            return Self::parse(&v).map(Some).ok_or(v);
        }
        let enable = lookup("OPENINFERENCE_ENABLE_GENAI_SEMCONV")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let opt_in = lookup("OTEL_SEMCONV_STABILITY_OPT_IN").is_some_and(|v| {
            v.split(',')
                .any(|item| item.trim() == "gen_ai_latest_experimental")
        });
        Ok((enable || opt_in).then_some(Self::Both))
    }
}

/// Whether GenAI message content may be recorded:
/// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false` hides every
/// input and output, in both conventions (as `OPENINFERENCE_HIDE_INPUTS` and
/// `OPENINFERENCE_HIDE_OUTPUTS` do); `true` or unset changes nothing, so
/// hiding set elsewhere always wins.
pub(crate) fn content_hidden(lookup: &dyn Fn(&str) -> Option<String>) -> bool {
    lookup("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
}

#[cfg(test)]
mod tests {
    use super::{content_hidden, Conventions};

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_variable_takes_either_or_both_in_any_order() {
        for (value, want) in [
            ("openinference", Some(Conventions::OpenInference)),
            ("gen_ai", Some(Conventions::GenAi)),
            ("openinference,gen_ai", Some(Conventions::Both)),
            (" GEN_AI , openinference ", Some(Conventions::Both)),
            ("genai", None),
            ("openinference,", None),
            ("", None),
        ] {
            assert_eq!(Conventions::parse(value), want, "{value:?}");
        }
    }

    #[test]
    fn the_two_switches_add_gen_ai_to_the_default_and_the_variable_wins() {
        let from = |vars: &[(&str, &str)]| Conventions::from_lookup(&lookup(vars));
        assert_eq!(from(&[]), Ok(None));
        assert_eq!(
            from(&[("OPENINFERENCE_ENABLE_GENAI_SEMCONV", "true")]),
            Ok(Some(Conventions::Both))
        );
        assert_eq!(
            from(&[("OPENINFERENCE_ENABLE_GENAI_SEMCONV", "false")]),
            Ok(None)
        );
        assert_eq!(
            from(&[(
                "OTEL_SEMCONV_STABILITY_OPT_IN",
                "http,gen_ai_latest_experimental"
            )]),
            Ok(Some(Conventions::Both))
        );
        assert_eq!(from(&[("OTEL_SEMCONV_STABILITY_OPT_IN", "http")]), Ok(None));
        assert_eq!(
            from(&[
                ("STACK_TRACE_SEMCONV", "gen_ai"),
                ("OPENINFERENCE_ENABLE_GENAI_SEMCONV", "true")
            ]),
            Ok(Some(Conventions::GenAi))
        );
        assert_eq!(
            from(&[("STACK_TRACE_SEMCONV", "otel")]),
            Err("otel".to_owned())
        );
    }

    #[test]
    fn only_false_hides_content() {
        let key = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
        assert!(content_hidden(&lookup(&[(key, "false")])));
        assert!(content_hidden(&lookup(&[(key, " FALSE ")])));
        assert!(!content_hidden(&lookup(&[(key, "true")])));
        assert!(!content_hidden(&lookup(&[])));
    }
}
