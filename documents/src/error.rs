//! The documents crate's one error type.

/// Why a document could not be typeset. Every variant is our fault, never the caller's: the data
/// is plain values, so no client's text can make a template fail.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The data could not be written as JSON.
    #[error("document data: {0}")]
    Data(#[from] serde_json::Error),
    /// typst refused the template (a bug in a template).
    #[error("template: {reason}")]
    Template {
        /// typst's diagnostics.
        reason: String,
    },
    /// The PDF writer refused the document.
    #[error("pdf: {reason}")]
    Pdf {
        /// typst's diagnostics.
        reason: String,
    },
}
