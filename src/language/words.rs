//! `Words`: the catalogue in one language, with the clinic's name in every message that names
//! it (`{ $clinic }`). Messages live in `locales/<tag>/*.ftl`, compiled into the binary; the
//! translation-completeness test (`tests` below) keeps both languages in step with the code.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use fluent_templates::{
    fluent_bundle::FluentValue, langid, static_loader, LanguageIdentifier, StaticLoader,
};

use super::Language;

static_loader! {
    static CATALOGUE = {
        locales: "./src/language/locales",
        fallback_language: "en-CA",
        // The words go into HTML and plain-text email, where Unicode isolation marks around
        // each argument would be stray characters.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A value for a message's `{ $name }`.
pub type Arg = FluentValue<'static>;

/// A piece of a message, for messages with words in bold (`Words::pieces`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Plain(String),
    /// The argument `arg`'s value.
    Strong {
        arg: &'static str,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    language: Language,
    brand: Arc<Brand>,
}

/// Whom the words speak for: the clinic's name and the address of its logo, made once from the
/// settings (`Accounts::words`) and shared by every `Words`.
#[derive(Debug, PartialEq, Eq)]
pub struct Brand {
    name: String,
    /// Whole, for emails.
    logo: Option<String>,
}

impl Brand {
    pub fn new(name: impl Into<String>, logo: Option<String>) -> Self {
        Self {
            name: name.into(),
            logo,
        }
    }
}

/// Marks where a bold argument sits in a formatted message: private-use characters no message
/// or argument holds.
const STRONG_START: char = '\u{F0001}';
const STRONG_END: char = '\u{F0002}';

impl Words {
    /// For a clinic named `clinic` without a logo (tests, the CLI's own email).
    pub fn new(language: Language, clinic: impl Into<String>) -> Self {
        Self::of(language, &Arc::new(Brand::new(clinic, None)))
    }

    pub fn of(language: Language, brand: &Arc<Brand>) -> Self {
        Self {
            language,
            brand: Arc::clone(brand),
        }
    }

    /// The address of the clinic's logo, if it has one.
    pub fn logo(&self) -> Option<&str> {
        self.brand.logo.as_deref()
    }

    /// English for logs and tests, where no patient reads them.
    pub fn english() -> Self {
        Self::new(Language::English, "Carelink")
    }

    /// The words of this request, for the clinic this portal serves.
    pub fn here() -> Self {
        #[cfg(feature = "ssr")]
        if let Some(state) = leptos::prelude::use_context::<crate::state::AppState>() {
            return state.accounts.words(Language::current());
        }
        Self::new(Language::current(), "Carelink")
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The clinic's name, as patients know the portal.
    pub fn clinic(&self) -> &str {
        &self.brand.name
    }

    /// The message `id`.
    pub fn get(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// The message `id` with its arguments.
    pub fn with(&self, id: &str, args: &[(&'static str, Arg)]) -> String {
        let mut all: HashMap<Cow<'static, str>, Arg> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), value.clone()))
            .collect();
        all.insert(Cow::Borrowed("clinic"), Arg::from(self.brand.name.clone()));
        lookup(self.language, id, &all)
    }

    /// The message `id` cut where its `strong` arguments sit, so a page can set them in bold
    /// (an address typed, a button's name) without putting markup in the catalogue.
    pub fn pieces(
        &self,
        id: &str,
        args: &[(&'static str, Arg)],
        strong: &[(&'static str, String)],
    ) -> Vec<Piece> {
        // Each bold argument is marked with its index, to know it again in the text.
        let marked = strong.iter().enumerate().map(|(index, (name, value))| {
            let value = format!("{STRONG_START}{index}:{value}{STRONG_END}");
            (*name, Arg::from(value))
        });
        let all: Vec<_> = args.iter().cloned().chain(marked).collect();
        let text = self.with(id, &all);
        let mut pieces = Vec::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(STRONG_START) {
            let (before, after) = rest.split_at(start);
            let after = &after[STRONG_START.len_utf8()..];
            let end = after.find(STRONG_END).unwrap_or(after.len());
            if !before.is_empty() {
                pieces.push(Piece::Plain(before.to_owned()));
            }
            let (index, text) = after[..end].split_once(':').unwrap_or_default();
            let arg = index.parse().ok().and_then(|i: usize| strong.get(i));
            pieces.push(Piece::Strong {
                arg: arg.map_or("", |(name, _)| name),
                text: text.to_owned(),
            });
            rest = after.get(end + STRONG_END.len_utf8()..).unwrap_or_default();
        }
        if !rest.is_empty() {
            pieces.push(Piece::Plain(rest.to_owned()));
        }
        pieces
    }
}

/// The catalogue's name of each language (`Language::tag`), made at compile time: looked up for
/// every message.
fn language_id(language: Language) -> &'static LanguageIdentifier {
    static ENGLISH: LanguageIdentifier = langid!("en-CA");
    static FRENCH: LanguageIdentifier = langid!("fr-CA");
    match language {
        Language::English => &ENGLISH,
        Language::French => &FRENCH,
    }
}

/// One language's catalogue only (no negotiation per lookup); a message missing there (which
/// the completeness test forbids) falls back to English, then to its id.
fn lookup(language: Language, id: &str, args: &HashMap<Cow<'static, str>, Arg>) -> String {
    let catalogue: &StaticLoader = &CATALOGUE;
    [language, Language::English]
        .into_iter()
        .find_map(|language| {
            catalogue
                .lookup_single_language(language_id(language), id, Some(args))
                .ok()
        })
        .unwrap_or_else(|| id.to_owned())
}

#[cfg(test)]
mod tests;
