//! Export failures, reported on stderr without flooding it: the first one,
//! then at most one line a minute unless the error changes. A failure with a
//! known cause (a refused credential: 401 / 403, gRPC UNAUTHENTICATED /
//! PERMISSION_DENIED; an untrusted certificate) is reported once, with what
//! to check. A vague "network error" is diagnosed first (one direct request
//! to the collector), only when it is about to be reported.

use std::time::{Duration, Instant};

/// What was reported last.
#[derive(Debug, Default)]
pub(super) struct FailureReport {
    /// The exporter's message, when, and whether it had a known cause
    /// (those are reported once).
    last: Option<(String, Instant, bool)>,
}

impl FailureReport {
    /// Reports that exporting `n` spans failed with `message`, unless it
    /// was just reported; `diagnose` finds the precise cause of a vague
    /// network error.
    pub(super) fn report(
        &mut self,
        message: &str,
        n: u64,
        diagnose: impl FnOnce() -> Option<String>,
    ) {
        let now = Instant::now();
        let repeat = matches!(&self.last,
            Some((last, at, known)) if last == message
                && (*known || now.duration_since(*at) < Duration::from_secs(60)));
        if repeat {
            return;
        }
        let cause = if message.contains("network error") {
            diagnose()
        } else {
            None
        };
        let detail = match cause {
            Some(cause) => format!("{message}: {cause}"),
            None => message.to_owned(),
        };
        let hint = explain_failure(&detail);
        eprintln!(
            "stack-trace: exporting {n} spans failed: {detail}.{} (spans are dropped and \
             counted in stack_trace_runtime::stats(); the program is not affected)",
            hint.map(|h| format!(" {h}")).unwrap_or_default()
        );
        self.last = Some((message.to_owned(), now, hint.is_some()));
    }
}

/// What to check for the failures that have a usual cause.
fn explain_failure(message: &str) -> Option<&'static str> {
    let lower = message.to_ascii_lowercase();
    if lower.contains("status code: 401") || lower.contains("unauthenticated") {
        Some(
            "The collector refused the credentials (HTTP 401 / gRPC UNAUTHENTICATED): check PHOENIX_API_KEY, \
             or the `authorization` header in OTEL_EXPORTER_OTLP_HEADERS (Phoenix expects \
             `authorization: Bearer <key>`), and that the key is not expired or revoked.",
        )
    } else if lower.contains("status code: 403")
        || lower.contains("permission denied")
        || lower.contains("permissiondenied")
    {
        Some(
            "The collector accepted the credentials but does not allow writing traces \
             (403 Forbidden): use a key of a user or system account that may write \
             (in Phoenix, not a VIEWER).",
        )
    } else if lower.contains("certificate") {
        Some(
            "The collector's TLS certificate is not trusted: give its CA with \
             OTEL_EXPORTER_OTLP_CERTIFICATE (a PEM file) or Config::ca_certificate, and check \
             that the certificate names the host in the endpoint.",
        )
    } else {
        None
    }
}
