//! Domain types: input is parsed into these at the edge (HTTP, CLI), so the
//! rest of the code never sees an unchecked slug, email or enum string.

mod cadence;
pub mod devex;
mod parse;

pub use cadence::Cadence;
pub use parse::*;

/// A field that failed to parse, with a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
