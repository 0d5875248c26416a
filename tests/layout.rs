//! The crates keep the shape the runtime's `lib.rs` describes:
//!
//! - no non-test module is over 400 non-blank lines (comments count,
//!   `#[cfg(test)]` items do not);
//! - the top-level modules of each crate depend on each other in one
//!   direction only: no circle of `crate::` / `super::` references.
//!
//! The modules are found the way the compiler finds them, by following `mod`
//! declarations from `lib.rs` (with `#[path]`), so a file that is not part
//! of the crate is not checked and a `#[cfg(test)] mod` file is skipped.
//! References are read from the tokens (macro bodies included), not from
//! doc comments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::spanned::Spanned as _;
use syn::visit::Visit;

const MAX_LINES: usize = 400;

/// One source file of a crate.
struct Module {
    path: PathBuf,
    /// The module path from the crate root (`[]` for `lib.rs`).
    name: Vec<String>,
    text: String,
}

/// Whether `attrs` hold `#[cfg(test)]`.
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn parse(path: &Path, text: &str) -> syn::File {
    syn::parse_file(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every non-test module file of the crate whose root is `lib`, found by
/// following `mod name;` declarations (inline modules stay in their file).
fn crate_modules(lib: &Path) -> Vec<Module> {
    let mut out = Vec::new();
    let mut pending = vec![(lib.to_path_buf(), Vec::new())];
    while let Some((path, name)) = pending.pop() {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = parse(&path, &text);
        // Where `mod x;` looks: beside lib.rs / mod.rs, else in a folder named
        // after this file.
        let dir = match path.file_name().and_then(|f| f.to_str()) {
            Some("lib.rs" | "mod.rs") => path.parent().unwrap().to_path_buf(),
            _ => path.with_extension(""),
        };
        for item in &file.items {
            let syn::Item::Mod(m) = item else { continue };
            if m.content.is_some() || is_cfg_test(&m.attrs) {
                continue;
            }
            let ident = m.ident.to_string();
            let child = match path_attr(&m.attrs) {
                Some(p) => path.parent().unwrap().join(p),
                None if dir.join(format!("{ident}.rs")).exists() => dir.join(format!("{ident}.rs")),
                None => dir.join(&ident).join("mod.rs"),
            };
            let mut child_name = name.clone();
            child_name.push(ident);
            pending.push((child, child_name));
        }
        out.push(Module { path, name, text });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The line ranges of `#[cfg(test)]` items, at any depth.
#[derive(Default)]
struct TestItems(Vec<(usize, usize)>);

impl TestItems {
    fn of(file: &syn::File) -> Self {
        let mut found = Self::default();
        found.visit_file(file);
        found
    }

    fn note(&mut self, attrs: &[syn::Attribute], span: proc_macro2::Span) {
        if is_cfg_test(attrs) {
            self.0.push((span.start().line, span.end().line));
        }
    }

    fn contains(&self, line: usize) -> bool {
        self.0.iter().any(|&(a, b)| (a..=b).contains(&line))
    }
}

impl<'ast> Visit<'ast> for TestItems {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Type(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            _ => &[],
        };
        self.note(attrs, item.span());
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::ImplItem::Const(i) => &i.attrs,
            syn::ImplItem::Fn(i) => &i.attrs,
            syn::ImplItem::Type(i) => &i.attrs,
            _ => &[],
        };
        self.note(attrs, item.span());
        syn::visit::visit_impl_item(self, item);
    }
}

/// Non-blank lines outside `#[cfg(test)]` items.
fn counted_lines(path: &Path, text: &str) -> usize {
    let tests = TestItems::of(&parse(path, text));
    text.lines()
        .enumerate()
        .filter(|(i, line)| !line.trim().is_empty() && !tests.contains(i + 1))
        .count()
}

/// The modules over the limit, with their counts.
fn oversized(modules: &[Module]) -> Vec<String> {
    modules
        .iter()
        .filter_map(|m| {
            let n = counted_lines(&m.path, &m.text);
            (n > MAX_LINES).then(|| format!("{}: {n} lines", m.path.display()))
        })
        .collect()
}

/// Names `lib.rs` re-exports (`pub use a::b::C`): `C` -> `a`.
fn root_reexports(lib: &syn::File) -> BTreeMap<String, String> {
    fn walk(tree: &syn::UseTree, first: Option<&str>, out: &mut BTreeMap<String, String>) {
        match tree {
            syn::UseTree::Path(p) => {
                let head = p.ident.to_string();
                walk(&p.tree, Some(first.unwrap_or(&head)), out);
            }
            syn::UseTree::Name(n) => {
                if let Some(first) = first {
                    out.insert(n.ident.to_string(), first.to_owned());
                }
            }
            syn::UseTree::Rename(r) => {
                if let Some(first) = first {
                    out.insert(r.rename.to_string(), first.to_owned());
                }
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, first, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut out = BTreeMap::new();
    for item in &lib.items {
        if let syn::Item::Use(u) = item {
            walk(&u.tree, None, &mut out);
        }
    }
    out
}

/// Reads the top-level modules one file names, from its tokens.
struct References<'a> {
    tests: &'a TestItems,
    top: &'a BTreeSet<String>,
    reexports: &'a BTreeMap<String, String>,
    found: BTreeSet<String>,
}

impl References<'_> {
    /// The first segment after a path's root (`crate::` or enough `super::`).
    fn after_root(&mut self, rest: &[TokenTree]) {
        match rest.first() {
            Some(TokenTree::Ident(ident)) => self.name(&ident.to_string()),
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                // `crate::{a::x, b}`: the first identifier of each element.
                let mut at_start = true;
                for tt in g.stream() {
                    match &tt {
                        TokenTree::Ident(ident) if at_start => self.name(&ident.to_string()),
                        TokenTree::Punct(p) if p.as_char() == ',' => {
                            at_start = true;
                            continue;
                        }
                        _ => {}
                    }
                    at_start = false;
                }
            }
            _ => {}
        }
    }

    fn name(&mut self, name: &str) {
        if self.top.contains(name) {
            self.found.insert(name.to_owned());
        } else if let Some(module) = self.reexports.get(name) {
            self.found.insert(module.clone());
        }
    }

    /// `tokens` inside the module at `depth` below the root.
    fn scan(&mut self, tokens: TokenStream, depth: usize) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        let sep = |i: usize| {
            matches!((tts.get(i), tts.get(i + 1)),
                (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                    if a.as_char() == ':' && b.as_char() == ':')
        };
        let mut i = 0;
        while i < tts.len() {
            if self.tests.contains(tts[i].span().start().line) {
                i += 1;
                continue;
            }
            match &tts[i] {
                TokenTree::Ident(ident) if ident == "mod" => {
                    if let (Some(TokenTree::Ident(_)), Some(TokenTree::Group(g))) =
                        (tts.get(i + 1), tts.get(i + 2))
                    {
                        self.scan(g.stream(), depth + 1);
                        i += 3;
                        continue;
                    }
                }
                TokenTree::Ident(ident) if ident == "crate" && sep(i + 1) => {
                    self.after_root(&tts[i + 3..]);
                }
                TokenTree::Ident(ident) if ident == "super" => {
                    let mut ups = 1;
                    let mut j = i + 1;
                    while sep(j)
                        && matches!(tts.get(j + 2), Some(TokenTree::Ident(s)) if s == "super")
                    {
                        ups += 1;
                        j += 3;
                    }
                    if ups >= depth && sep(j) {
                        self.after_root(&tts[j + 2..]);
                    }
                    i = j;
                    continue;
                }
                TokenTree::Group(g) => self.scan(g.stream(), depth),
                _ => {}
            }
            i += 1;
        }
    }
}

/// Top-level module -> the top-level modules it names.
fn dependencies(modules: &[Module]) -> BTreeMap<String, BTreeSet<String>> {
    let root = modules.iter().find(|m| m.name.is_empty()).expect("lib.rs");
    let root_file = parse(&root.path, &root.text);
    let top: BTreeSet<String> = modules
        .iter()
        .filter(|m| m.name.len() == 1)
        .map(|m| m.name[0].clone())
        .collect();
    let reexports = root_reexports(&root_file);
    let mut graph: BTreeMap<String, BTreeSet<String>> =
        top.iter().map(|t| (t.clone(), BTreeSet::new())).collect();
    for module in modules.iter().filter(|m| !m.name.is_empty()) {
        let tests = TestItems::of(&parse(&module.path, &module.text));
        let tokens: TokenStream = module.text.parse().expect("tokens");
        let mut refs = References {
            tests: &tests,
            top: &top,
            reexports: &reexports,
            found: BTreeSet::new(),
        };
        refs.scan(tokens, module.name.len());
        let own = &module.name[0];
        refs.found.remove(own);
        graph.get_mut(own).unwrap().extend(refs.found);
    }
    graph
}

/// A circle in the graph, as the path that closes it, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CRATES: [&str; 3] = [
    "stack-trace-runtime/src/lib.rs",
    "stack-trace-macros/src/lib.rs",
    "src/lib.rs",
];

#[test]
fn no_module_is_over_400_lines() {
    for lib in CRATES {
        let modules = crate_modules(&workspace().join(lib));
        assert!(modules.len() > 1, "{lib}: no modules found");
        let over = oversized(&modules);
        assert!(
            over.is_empty(),
            "split by job, not by line count (the limit is {MAX_LINES} non-blank lines \
             outside #[cfg(test)] items):\n{}",
            over.join("\n")
        );
    }
}

#[test]
fn top_level_modules_depend_in_one_direction() {
    for lib in CRATES {
        let graph = dependencies(&crate_modules(&workspace().join(lib)));
        if let Some(found) = circle(&graph) {
            panic!(
                "{lib}: the top-level modules {} name each other; move the shared item down \
                 to a module both use, or pass it in as a value or a trait\n{graph:#?}",
                found.join(" -> ")
            );
        }
    }
}

#[test]
fn the_runtime_reads_as_its_pipeline() {
    let graph = dependencies(&crate_modules(&workspace().join(CRATES[0])));
    let names = |m: &str| graph[m].iter().cloned().collect::<Vec<_>>();
    assert_eq!(names("semconv"), Vec::<String>::new());
    assert_eq!(names("scrub"), ["semconv"]);
    assert_eq!(names("capture"), ["scrub", "semconv"]);
    assert_eq!(names("openinference"), ["capture", "scrub", "semconv"]);
    assert_eq!(names("gen_ai"), ["capture", "openinference", "semconv"]);
    assert!(!graph["export"].contains("span") && !graph["export"].contains("setup"));
    assert!(!graph["span"].contains("setup") && !graph["span"].contains("http"));
}

/// The checks themselves, on small crates written here: each must fail
/// where it should.
mod checker {
    use super::*;

    /// Writes `files` into a fresh folder named after the test.
    fn write_crate(test: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("stack-trace-layout-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir.join("lib.rs")
    }

    #[test]
    fn finds_circles_through_crate_super_use_trees_and_macros() {
        let lib = write_crate(
            "circles",
            &[
                ("lib.rs", "mod a;\nmod b;\nmod c;\npub use c::Thing;\n"),
                ("a/mod.rs", "mod inner;\n"),
                // `super::super::b` from a/inner.rs reaches the root's b.
                ("a/inner.rs", "fn f() { super::super::b::g(); }\n"),
                ("b.rs", "use crate::{c::X, Thing as _};\n"),
                ("c.rs", "macro_rules! m { () => { crate::a::f() } }\n"),
            ],
        );
        let graph = dependencies(&crate_modules(&lib));
        assert_eq!(graph["a"], BTreeSet::from(["b".to_owned()]));
        assert_eq!(graph["b"], BTreeSet::from(["c".to_owned()]));
        assert_eq!(graph["c"], BTreeSet::from(["a".to_owned()]));
        assert_eq!(circle(&graph).unwrap(), ["a", "b", "c", "a"]);
    }

    #[test]
    fn ignores_tests_docs_and_own_module() {
        let lib = write_crate(
            "ignored",
            &[
                ("lib.rs", "mod a;\nmod b;\n#[cfg(test)]\nmod t;\n"),
                (
                    "a.rs",
                    "//! see [`crate::b`]\nuse crate::a::x;\n#[cfg(test)]\nmod tests { use crate::b; }\n",
                ),
                ("b.rs", "use crate::a;\n"),
                ("t.rs", "use crate::a;\nuse crate::b;\n"),
            ],
        );
        let modules = crate_modules(&lib);
        assert_eq!(modules.len(), 3, "the cfg(test) module file is skipped");
        let graph = dependencies(&modules);
        assert!(graph["a"].is_empty(), "{graph:?}");
        assert!(circle(&graph).is_none());
    }

    #[test]
    fn counts_comments_but_not_test_items() {
        let body: String = (0..MAX_LINES).map(|i| format!("// line {i}\n")).collect();
        let tests = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
        let lib = write_crate(
            "lines",
            &[
                ("lib.rs", "mod full;\nmod over;\n"),
                ("full.rs", &format!("{body}\n\n{tests}")),
                ("over.rs", &format!("{body}fn one_more() {{}}\n")),
            ],
        );
        let over = oversized(&crate_modules(&lib));
        assert_eq!(over.len(), 1, "{over:?}");
        assert!(over[0].ends_with("over.rs: 401 lines"), "{over:?}");
    }
}
