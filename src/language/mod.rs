//! The languages patients read the portal in: Canadian English and Canadian French.
//!
//! Every word a patient reads comes from the Fluent files in `locales/` (`words`), looked up in
//! the request's language on the server: pages, errors, emails and calendar files alike. Islands
//! get their few words as props, already translated, so the WASM carries no catalogue.
//!
//! A request's language is, in order: the `carelink_lang` cookie (the patient's choice, or their
//! stored language once they sign in), the browser's `Accept-Language`, the clinic's default.

use serde::{Deserialize, Serialize};

mod words;
pub use words::{Arg, Brand, Piece, Words};

#[cfg(feature = "ssr")]
mod negotiate;
#[cfg(feature = "ssr")]
pub use negotiate::from_accept_language;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Language {
    #[default]
    English,
    French,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::French];

    /// The BCP 47 tag of the Canadian variant, as `<html lang>` and the catalogue name it.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en-CA",
            Language::French => "fr-CA",
        }
    }

    /// The short code stored for a patient and typed in settings and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// The language's name in itself, as a switch to it reads.
    pub fn own_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "Français",
        }
    }

    /// `en`, `fr`, or a tag of either (`fr-CA`, `EN-us`); anything else is none of ours.
    pub fn parse(text: &str) -> Option<Language> {
        let primary = text.trim().split(['-', '_']).next()?;
        Language::ALL
            .into_iter()
            .find(|language| primary.eq_ignore_ascii_case(language.code()))
    }

    /// The language a page offers to switch to.
    pub fn other(self) -> Language {
        match self {
            Language::English => Language::French,
            Language::French => Language::English,
        }
    }

    /// The language of this request (a page render or a server function), or English where
    /// there is no request (the WASM, which never renders words itself).
    pub fn current() -> Language {
        #[cfg(feature = "ssr")]
        if let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() {
            return Language::of(&parts.extensions);
        }
        Language::default()
    }

    /// The language `auth::pick_language` chose for the request these extensions are of.
    #[cfg(feature = "ssr")]
    pub fn of(extensions: &axum::http::Extensions) -> Language {
        extensions.get().copied().unwrap_or_default()
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// An outcome a patient is told about (a refusal, mostly), in the words of their language.
pub trait Explain {
    fn explain(&self, words: &Words) -> String;
}

/// `Display` for each `Explain` type named: the English a patient would read, for logs, tests
/// and the CLI.
macro_rules! display_in_english {
    ($($explained:ty),+) => {$(
        impl std::fmt::Display for $explained {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let english = $crate::language::Words::english();
                f.write_str(&$crate::language::Explain::explain(self, &english))
            }
        }
    )+};
}
pub(crate) use display_in_english;
