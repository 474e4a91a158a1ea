//! Typesetting: a [`Document`] and its template in, PDF bytes out.
//!
//! The same document gives the same bytes: the PDF's creation date is the fact's instant the
//! caller passes (never the clock), and its identifier is derived from the document's own name
//! (kind and number), so a closed order prints tomorrow exactly as today.

use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::error::DocumentError;
use crate::model::{Document, Instant};
use crate::world::Sheet;

/// The templates, one per document, kept beside the crate (`templates/*.typ`).
const ORDER: &str = include_str!("../templates/order.typ");
const ACT: &str = include_str!("../templates/act.typ");
const INVOICE: &str = include_str!("../templates/invoice.typ");
const RECEIPT: &str = include_str!("../templates/receipt.typ");

impl Document {
    /// The template's file name and text.
    fn template(&self) -> (&'static str, &'static str) {
        match self {
            Document::WorkOrder(_) => ("/order.typ", ORDER),
            Document::Act(_) => ("/act.typ", ACT),
            Document::Invoice(_) => ("/invoice.typ", INVOICE),
            Document::Receipt(_) => ("/receipt.typ", RECEIPT),
        }
    }

    /// The data the template reads, as JSON.
    fn data(&self) -> Result<Vec<u8>, DocumentError> {
        Ok(match self {
            Document::WorkOrder(d) => serde_json::to_vec(d)?,
            Document::Act(d) => serde_json::to_vec(d)?,
            Document::Invoice(d) => serde_json::to_vec(d)?,
            Document::Receipt(d) => serde_json::to_vec(d)?,
        })
    }

    /// A name stable for the life of the document, for the PDF's identifier.
    fn ident(&self) -> String {
        match self {
            Document::WorkOrder(d) => format!("work-order {}", d.number),
            Document::Act(d) => format!("act {}", d.number),
            Document::Invoice(d) => format!("invoice {}", d.number),
            Document::Receipt(d) => {
                format!("receipt {} #{}", d.invoice_number, d.payment_number)
            }
        }
    }
}

/// Typesets `document` as a PDF dated `dated` (the instant of the fact it records: the intake,
/// the completion, the issue, the payment).
pub fn render(document: &Document, dated: Instant) -> Result<Vec<u8>, DocumentError> {
    let (name, template) = document.template();
    let sheet = Sheet::new(name, template, document.data()?)?;
    let paged: PagedDocument =
        typst::compile(&sheet)
            .output
            .map_err(|errors| DocumentError::Template {
                reason: errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
    let options = PdfOptions {
        ident: Smart::Custom(document.ident()),
        creator: Smart::Custom(Some("Motorlog".to_owned())),
        timestamp: datetime(dated).map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&paged, &options).map_err(|errors| DocumentError::Pdf {
        reason: errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    })
}

fn datetime(at: Instant) -> Option<Datetime> {
    Datetime::from_ymd_hms(at.year, at.month, at.day, at.hour, at.minute, at.second)
}
