//! The shop's own words on its printed documents: the guarantee terms (гарантийные обязательства)
//! the заказ-наряд and the акт carry, and a note at their foot. The owner writes them in the
//! settings; a document prints the texts in force when it is printed.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The longest text a document prints in one place: half a page.
pub const MAX_DOCUMENT_TEXT: usize = 2_000;

/// The guarantee terms and the note, each trimmed and at most [`MAX_DOCUMENT_TEXT`] characters;
/// either may be empty (a shop may give no guarantee beyond the law's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDocumentTexts")]
pub struct DocumentTexts {
    guarantee: String,
    notes: String,
}

/// The texts as they arrive, before [`DocumentTexts::new`] accepts them.
#[derive(Deserialize)]
struct RawDocumentTexts {
    guarantee: String,
    notes: String,
}

impl TryFrom<RawDocumentTexts> for DocumentTexts {
    type Error = DomainError;
    fn try_from(raw: RawDocumentTexts) -> Result<Self, Self::Error> {
        Self::new(&raw.guarantee, &raw.notes)
    }
}

impl DocumentTexts {
    /// The texts, trimmed; refused when either is longer than [`MAX_DOCUMENT_TEXT`].
    pub fn new(guarantee: &str, notes: &str) -> Result<Self, DomainError> {
        Ok(Self {
            guarantee: bounded(guarantee, "guarantee")?,
            notes: bounded(notes, "notes")?,
        })
    }

    /// The guarantee terms.
    pub fn guarantee(&self) -> &str {
        &self.guarantee
    }

    /// The note at the documents' foot.
    pub fn notes(&self) -> &str {
        &self.notes
    }
}

fn bounded(text: &str, field: &'static str) -> Result<String, DomainError> {
    let trimmed = text.trim();
    if trimmed.chars().count() > MAX_DOCUMENT_TEXT {
        return Err(DomainError::TooLong {
            field,
            max: MAX_DOCUMENT_TEXT,
        });
    }
    Ok(trimmed.to_owned())
}
