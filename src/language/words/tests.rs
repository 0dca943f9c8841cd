//! The catalogue is complete: every message in both languages with the same placeholders, and
//! every message used by the code (none left over from a screen that changed).

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use fluent_templates::fluent_bundle::FluentResource;

use super::{Language, Piece, Words};

const LOCALES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/language/locales");

/// Each message of a language, with the variables its text uses (`$clinic` is every message's).
fn catalogue(language: Language) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages = BTreeMap::new();
    let folder = Path::new(LOCALES).join(language.tag());
    for file in fs::read_dir(&folder).expect("the language's folder") {
        let path = file.expect("a file").path();
        let text = fs::read_to_string(&path).expect("a readable file");
        let resource = FluentResource::try_new(text)
            .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
        for entry in resource.entries() {
            if let Entry::Message(message) = entry {
                let mut variables = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    collect(pattern, &mut variables);
                }
                let id = message.id.name.to_owned();
                assert!(
                    messages.insert(id.clone(), variables).is_none(),
                    "{id} twice"
                );
            }
        }
    }
    messages
}

fn collect(pattern: &Pattern<&str>, variables: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            match expression {
                Expression::Inline(inline) => inline_variable(inline, variables),
                Expression::Select { selector, variants } => {
                    inline_variable(selector, variables);
                    for variant in variants {
                        collect(&variant.value, variables);
                    }
                }
            }
        }
    }
}

fn inline_variable(expression: &InlineExpression<&str>, variables: &mut BTreeSet<String>) {
    if let InlineExpression::VariableReference { id } = expression {
        variables.insert(id.name.to_owned());
    }
}

#[test]
fn every_message_is_in_both_languages_with_the_same_placeholders() {
    let english = catalogue(Language::English);
    let french = catalogue(Language::French);
    let only = |a: &BTreeMap<_, _>, b: &BTreeMap<String, _>| {
        a.keys()
            .filter(|id| !b.contains_key(*id))
            .cloned()
            .collect::<Vec<String>>()
    };
    assert_eq!(
        only(&english, &french),
        Vec::<String>::new(),
        "missing in French"
    );
    assert_eq!(
        only(&french, &english),
        Vec::<String>::new(),
        "missing in English"
    );
    for (id, variables) in &english {
        assert_eq!(
            &french[id], variables,
            "{id}: the languages' placeholders differ"
        );
    }
}

fn rust_files(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(folder).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_message_is_used_by_the_code() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let code: String = files
        .iter()
        .filter(|path| !path.ends_with("language/words/tests.rs"))
        .map(|path| fs::read_to_string(path).expect("readable source"))
        .collect();
    let unused: Vec<String> = catalogue(Language::English)
        .into_keys()
        .filter(|id| !code.contains(&format!("\"{id}\"")))
        .collect();
    assert_eq!(unused, Vec::<String>::new(), "messages no code asks for");
}

#[test]
fn every_message_the_code_asks_for_exists() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let english = catalogue(Language::English);
    // Only strings in the catalogue's families ("login-…", "error-…"): a header's name is not.
    let families: BTreeSet<&str> = english
        .keys()
        .filter_map(|id| id.split('-').next())
        .collect();
    let mut missing = Vec::new();
    for path in files {
        let code = fs::read_to_string(&path).expect("readable source");
        for call in ["get(\"", "with(\"", "pieces(\"", "words.get(\""] {
            for (at, _) in code.match_indices(call) {
                let rest = &code[at + call.len()..];
                let id = &rest[..rest.find('"').unwrap_or(0)];
                let looks_like_one = id.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && id
                        .split('-')
                        .next()
                        .is_some_and(|family| families.contains(family));
                if looks_like_one && !english.contains_key(id) {
                    missing.push(format!("{}: {id}", path.display()));
                }
            }
        }
    }
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "asked for, not in the catalogue"
    );
}

#[test]
fn every_message_formats_in_both_languages_without_errors() {
    for language in Language::ALL {
        let words = Words::new(language, "Clinique Rosemont");
        for (id, variables) in catalogue(language) {
            let args: Vec<(&'static str, super::Arg)> = variables
                .iter()
                .map(|name| (&*name.clone().leak(), super::Arg::from(2)))
                .collect();
            let text = words.with(&id, &args);
            assert_ne!(text, id, "{language}: {id} did not format");
            assert!(
                !text.contains('{') && !text.contains('}'),
                "{language}: {id}: {text}"
            );
        }
    }
}

#[test]
fn the_clinics_name_is_in_every_message_that_names_it() {
    let french = Words::new(Language::French, "Clinique Rosemont");
    assert_eq!(
        french.get("login-heading"),
        "Connexion au portail Clinique Rosemont"
    );
    let english = Words::new(Language::English, "Clinique Rosemont");
    assert_eq!(english.get("login-heading"), "Log in to Clinique Rosemont");
}

#[test]
fn bold_arguments_come_back_as_pieces_in_the_languages_order() {
    let french = Words::new(Language::French, "Carelink");
    let pieces = french.pieces(
        "link-as-on",
        &[],
        &[
            ("account", "sam@example.org".into()),
            ("asker", "Chrome sur Windows".into()),
        ],
    );
    assert_eq!(
        pieces,
        vec![
            Piece::Plain("Connectez-vous en tant que ".into()),
            Piece::Strong {
                arg: "account",
                text: "sam@example.org".into()
            },
            Piece::Plain(" sur ".into()),
            Piece::Strong {
                arg: "asker",
                text: "Chrome sur Windows".into()
            },
            Piece::Plain(
                ", seulement si vous venez vous-même d'en faire la demande là-bas.".into()
            ),
        ]
    );
}
