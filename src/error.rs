//! `AppError`: the one error every server function answers with, shared by the server and the
//! WASM client. The client matches its variants, never its words; the server's `auth` layer picks
//! each variant's HTTP status (`crate::auth::errors`).

use std::fmt;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::language::Words;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// No live session: the patient must sign in (again).
    NotSignedIn,
    /// Understood and refused. `message` tells the patient why and what to do; `status` is the
    /// HTTP status it is answered with (400, 401, 404, 410, 429...).
    Refused { status: u16, message: String },
    /// Too busy right now (503 with Retry-After): the same request will work in a moment.
    Busy,
    /// Nothing can be saved right now (the disk is full, the database read-only): nothing was
    /// changed, and someone at the clinic must act before it works again (503).
    CannotSave,
    /// Our fault. The cause is in the server's log, never in the answer.
    Internal,
    /// The browser could not reach the server, or could not read its answer.
    Unreachable,
}

impl AppError {
    pub fn refused(status: u16, message: impl Into<String>) -> Self {
        Self::Refused {
            status,
            message: message.into(),
        }
    }
}

/// The words of the errors that carry none of their own, in the patient's language: the server
/// tells a page's or an island's errors with them, and an island gets them as a prop (the WASM
/// holds no catalogue, and says `Unreachable` itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorWords {
    not_signed_in: String,
    busy: String,
    cannot_save: String,
    internal: String,
    unreachable: String,
}

impl ErrorWords {
    pub fn new(words: &Words) -> Self {
        Self {
            not_signed_in: words.get("error-not-signed-in"),
            busy: words.get("error-busy"),
            cannot_save: words.get("error-cannot-save"),
            internal: words.get("error-internal"),
            unreachable: words.get("error-unreachable"),
        }
    }

    /// Those of this request.
    pub fn here() -> Self {
        Self::new(&Words::here())
    }

    /// What the patient reads for `error`.
    pub fn tell(&self, error: &AppError) -> String {
        match error {
            AppError::NotSignedIn => &self.not_signed_in,
            AppError::Refused { message, .. } => message,
            AppError::Busy => &self.busy,
            AppError::CannotSave => &self.cannot_save,
            AppError::Internal => &self.internal,
            AppError::Unreachable => &self.unreachable,
        }
        .clone()
    }
}

/// For logs and tests: the English a patient would read.
impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&ErrorWords::new(&Words::english()).tell(self))
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// The framework's own failures. On the server, a request body that cannot be read as the
    /// function's arguments is the client's fault (400, and serde's own words would help
    /// nobody); anything else is ours. On the client, the server could not be reached or
    /// understood.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
                if cfg!(feature = "ssr") =>
            {
                Self::refused(400, Words::here().get("error-garbled-form"))
            }
            ServerFnErrorErr::Request(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Serialization(_)
                if !cfg!(feature = "ssr") =>
            {
                Self::Unreachable
            }
            _ => Self::Internal,
        }
    }
}

/// A database failure is ours: logged with its cause. One that comes from the database's state
/// (a full disk, a read-only file, a lock held elsewhere) is told as such; any other is
/// `Internal`.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        use crate::db::Trouble;
        match Trouble::of(&error) {
            Some(trouble @ (Trouble::Locked | Trouble::Unavailable)) => {
                tracing::warn!(%error, "database busy: {}", trouble.describe());
                Self::Busy
            }
            Some(trouble) => {
                tracing::error!(%error, "cannot save: {}", trouble.describe());
                Self::CannotSave
            }
            None => {
                tracing::error!(%error, "database error");
                Self::Internal
            }
        }
    }
}
