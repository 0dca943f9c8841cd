//! The 10,000 most common passwords, refused whenever a patient chooses a password
//! (`strength::choose`).
//!
//! Source: the first 10,000 entries of the ranked `passwords` dictionary of the npm package
//! `@zxcvbn-ts/language-common` 4.1.3 (MIT; Copyright (c) 2012-2016 Dan Wheeler and Dropbox,
//! Inc., (c) 2021 @zxcvbn-ts), which ranks Mark Burnett's ten-million-password corpus (xato.net)
//! by frequency: the same list as SecLists' `10-million-password-list-top-10000.txt`.
//! With the 12-character minimum few of them can be chosen at all ("qwerty123456",
//! "leavemealone"), but those few are the first guesses of anyone who tries.

use std::{collections::HashSet, sync::LazyLock};

use super::rules::Password;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common.txt")
        .lines()
        .map(str::to_lowercase)
        .collect()
});

/// Whether `password` is one of the most common passwords, whatever its case.
pub fn is_common(password: &Password) -> bool {
    COMMON.contains(&password.expose().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_passwords_are_found_whatever_their_case() {
        assert_eq!(COMMON.len(), 10_000);
        let password = |text: &str| Password::parse(text.into()).unwrap();
        for common in ["qwerty123456", "LeaveMeAlone", "1qaz2wsx3edc"] {
            assert!(is_common(&password(common)), "{common}");
        }
        assert!(!is_common(&password("correct horse battery staple")));
    }
}
