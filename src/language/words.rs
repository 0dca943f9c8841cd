//! `Words`: the catalogue in one language, with the clinic's name in every message that names
//! it (`{ $clinic }`). Messages live in `locales/<tag>/*.ftl`, compiled into the binary; the
//! translation-completeness test (`tests` below) keeps both languages in step with the code.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use fluent_templates::{
    fluent_bundle::FluentValue, static_loader, LanguageIdentifier, StaticLoader,
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
    clinic: Arc<str>,
    /// The address of the clinic's logo, for emails, when it has one.
    logo: Option<Arc<str>>,
}

/// Marks where a bold argument sits in a formatted message: private-use characters no message
/// or argument holds.
const STRONG_START: char = '\u{F0001}';
const STRONG_END: char = '\u{F0002}';

impl Words {
    pub fn new(language: Language, clinic: impl Into<Arc<str>>) -> Self {
        Self {
            language,
            clinic: clinic.into(),
            logo: None,
        }
    }

    /// The same, with the clinic's logo at `url`.
    pub fn with_logo(self, url: Option<String>) -> Self {
        Self {
            logo: url.map(Into::into),
            ..self
        }
    }

    /// The address of the clinic's logo, if it has one.
    pub fn logo(&self) -> Option<&str> {
        self.logo.as_deref()
    }

    /// English for logs and tests, where no patient reads them.
    pub fn english() -> Self {
        Self::new(Language::English, "Carelink")
    }

    /// The words of this request, for the clinic this portal serves.
    pub fn here() -> Self {
        #[cfg(feature = "ssr")]
        if let Some(state) = leptos::prelude::use_context::<crate::state::AppState>() {
            return state.words(Language::current());
        }
        Self::new(Language::current(), "Carelink")
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The clinic's name, as patients know the portal.
    pub fn clinic(&self) -> &str {
        &self.clinic
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
        all.insert(Cow::Borrowed("clinic"), Arg::from(self.clinic.to_string()));
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

fn language_id(language: Language) -> LanguageIdentifier {
    language.tag().parse().unwrap_or_default()
}

/// One language's catalogue only (no negotiation per lookup); a message missing there (which
/// the completeness test forbids) falls back to English, then to its id.
fn lookup(language: Language, id: &str, args: &HashMap<Cow<'static, str>, Arg>) -> String {
    let catalogue: &StaticLoader = &CATALOGUE;
    [language, Language::English]
        .into_iter()
        .find_map(|language| {
            catalogue
                .lookup_single_language(&language_id(language), id, Some(args))
                .ok()
        })
        .unwrap_or_else(|| id.to_owned())
}

#[cfg(test)]
mod tests;
