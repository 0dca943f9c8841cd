//! What a form post leaves for the page it returns to: its error, or a notice that it worked,
//! and the address that was typed (never a password, code or token). Forms here post as plain
//! HTML forms, with or without the WASM, so their results travel in a short-lived cookie (set
//! by `auth::flash`) rather than in the address bar, and the page renders them on the server.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The server function the form posted to, such as `/api/sign_in_with_password`.
    pub form: String,
    pub error: Option<AppError>,
    pub notice: Option<String>,
    /// The email address the form carried, to fill it in again.
    pub email: Option<String>,
}

impl Flash {
    /// The flash of this request, if it is for the form posting to `form`.
    pub fn for_form(form: &str) -> Option<Flash> {
        use_context::<Flash>().filter(|flash| flash.form == form)
    }

    pub fn error_for(form: &str) -> Option<AppError> {
        Self::for_form(form).and_then(|flash| flash.error)
    }

    pub fn notice_for(form: &str) -> Option<String> {
        Self::for_form(form).and_then(|flash| flash.notice)
    }

    /// The address typed into the form posting to `form`, when it came back with an error.
    pub fn email_for(form: &str) -> Option<String> {
        Self::for_form(form).and_then(|flash| flash.email)
    }
}
