//! The spec key list our audits use (`src/spec.rs`, written by hand) moves
//! with the `openinference-semantic-conventions` package (0.1.42, the one
//! Phoenix 20.26.1 installs): every key we list is made of the package's
//! constants, and every package key under the audited namespaces is in our
//! list. The package is read from the test Phoenix's virtualenv
//! (`scripts/phoenix install`), so the check fails when either side moves.

use std::collections::BTreeSet;
use std::process::Command;

use stack_trace::spec::{AUDITED_PREFIXES, all_keys};

const DUMP: &str = r"
import inspect, importlib.metadata as m
import openinference.semconv.trace as t
print('VERSION', m.version('openinference-semantic-conventions'))
for name, cls in inspect.getmembers(t, inspect.isclass):
    if cls.__module__ != t.__name__:
        continue
    for k, v in vars(cls).items():
        if k.isupper() and isinstance(v, str) and '.' in v:
            print('KEY', v)
";

/// The package's version and keys.
fn package_keys() -> (String, BTreeSet<String>) {
    let out = Command::new(stack_trace::phoenix::venv_python())
        .args(["-c", DUMP])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let version = text
        .lines()
        .find_map(|l| l.strip_prefix("VERSION "))
        .expect("a version")
        .to_owned();
    let keys = text
        .lines()
        .filter_map(|l| l.strip_prefix("KEY "))
        .map(str::to_owned)
        .collect();
    (version, keys)
}

/// Whether `key` is a package key, or a package key followed by `.{i}.`
/// or `.` and a key made the same way (`llm.input_messages.{i}.message.role`,
/// `message_content.image.image.url`).
fn composed(key: &str, package: &BTreeSet<String>) -> bool {
    if package.contains(key) {
        return true;
    }
    key.match_indices('.').any(|(at, _)| {
        let (head, rest) = (&key[..at], &key[at + 1..]);
        let rest = rest.strip_prefix("{i}.").unwrap_or(rest);
        package.contains(head) && composed(rest, package)
    })
}

#[test]
fn our_spec_list_matches_the_package() {
    let (version, package) = package_keys();
    assert_eq!(
        version, "0.1.42",
        "the pinned package (see scripts/phoenix)"
    );
    let ours = all_keys();

    let unknown: Vec<&String> = ours.iter().filter(|k| !composed(k, &package)).collect();
    assert!(
        unknown.is_empty(),
        "listed but not made of package keys: {unknown:#?}"
    );

    // Package keys that are prefixes of others (`llm.token_count.prompt_details`)
    // name groups, not attributes; list keys are covered through their items.
    let leaves = package
        .iter()
        .filter(|k| {
            !package
                .iter()
                .any(|o| o.len() > k.len() && o.starts_with(&format!("{k}.")))
        })
        .filter(|k| {
            AUDITED_PREFIXES.iter().any(|p| k.starts_with(p))
                // What message contents hold.
                || ["message_content.", "image.", "audio.", "video."]
                    .iter()
                    .any(|p| k.starts_with(p))
        });
    let missing: Vec<&String> = leaves
        .filter(|k| {
            !ours.iter().any(|o| {
                o == *k
                    || o.starts_with(&format!("{k}."))
                    || o.ends_with(&format!(".{k}"))
                    || o.contains(&format!(".{k}."))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "package keys our list lacks: {missing:#?}"
    );
}
