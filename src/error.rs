//! `AppError`: the one error every server function answers with, shared by the server and the
//! WASM client. The client matches its variants, never its words; the server's `auth` layer picks
//! each variant's HTTP status (`crate::auth::errors`).

use std::fmt;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

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

/// What the patient reads.
impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotSignedIn => "Your session has ended. Please sign in again.",
            Self::Refused { message, .. } => message,
            Self::Busy => "Carelink is very busy right now. Please try again in a few seconds.",
            Self::CannotSave => {
                "Carelink cannot save anything right now, so nothing was changed. Please try \
                 again later; if it keeps happening, tell your clinic."
            }
            Self::Internal => "Something went wrong on our side. Please try again in a moment.",
            Self::Unreachable => {
                "We could not reach Carelink. Check your connection and try again."
            }
        })
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
                Self::refused(
                    400,
                    "This form arrived incomplete or garbled, so nothing was done. Reload the \
                     page and try again.",
                )
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
