//! The documents' data: what a printed document says, as plain values.
//!
//! The model is filled from the log's facts by the caller (the query API folds the streams) and
//! carries every figure as the domain computed it: totals, VAT, balances come in as kopecks and are
//! only *written out* here ([`Kopecks`] formats, it never adds). Dates come in as the events'
//! dates, never "now", so a document renders the same bytes whenever it is printed.

use serde::{Serialize, Serializer};

/// An amount in kopecks as the domain computed it; printed as `1 234,56`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kopecks(pub i64);

impl Kopecks {
    /// `1 234,56` (a no-break space between thousands, a comma before kopecks), as Russian
    /// documents write money.
    pub fn written(self) -> String {
        let sign = if self.0 < 0 { "−" } else { "" };
        let abs = self.0.unsigned_abs();
        let roubles = (abs / 100).to_string();
        let mut grouped = String::with_capacity(roubles.len() + roubles.len() / 3 * 3);
        for (i, digit) in roubles.chars().enumerate() {
            if i > 0 && (roubles.len() - i) % 3 == 0 {
                grouped.push('\u{a0}');
            }
            grouped.push(digit);
        }
        format!("{sign}{grouped},{:02}", abs % 100)
    }
}

impl Serialize for Kopecks {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.written())
    }
}

/// A calendar instant of a fact, as the event recorded it (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Instant {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31.
    pub day: u8,
    /// Hour, 0-23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
}

impl Instant {
    /// `05.12.2026`.
    pub fn date(&self) -> String {
        format!("{:02}.{:02}.{:04}", self.day, self.month, self.year)
    }

    /// `05.12.2026 14:07`.
    pub fn date_time(&self) -> String {
        format!("{} {:02}:{:02}", self.date(), self.hour, self.minute)
    }
}

/// The shop as the contractor (исполнитель): its name and requisites from the settings.
#[derive(Debug, Clone, Serialize)]
pub struct Shop {
    /// The shop's trading name.
    pub name: String,
    /// Registered name (ООО «…» or ИП …).
    pub legal_name: String,
    /// INN.
    pub inn: String,
    /// KPP (organisations only).
    pub kpp: Option<String>,
    /// OGRN or OGRNIP.
    pub ogrn: String,
    /// Legal address.
    pub address: String,
    /// The bank account, when the owner gave one.
    pub bank: Option<Bank>,
}

/// A bank account.
#[derive(Debug, Clone, Serialize)]
pub struct Bank {
    /// The bank's name.
    pub name: String,
    /// BIK.
    pub bik: String,
    /// The settlement account (р/с).
    pub account: String,
    /// The correspondent account (к/с).
    pub correspondent_account: String,
}

/// The customer (потребитель/заказчик) or the payer.
#[derive(Debug, Clone, Serialize)]
pub struct Party {
    /// A person's full name or a company's registered name.
    pub name: String,
    /// A phone, when known.
    pub phone: Option<String>,
    /// A company's INN.
    pub inn: Option<String>,
    /// A company's KPP.
    pub kpp: Option<String>,
}

/// The car.
#[derive(Debug, Clone, Serialize)]
pub struct Vehicle {
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Year of manufacture.
    pub year: Option<u16>,
    /// VIN.
    pub vin: Option<String>,
    /// Plate.
    pub plate: Option<String>,
    /// Odometer at intake, km.
    pub mileage_km: Option<u32>,
}

/// What kind of line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A work, priced in norm-hours.
    Labour,
    /// A part the shop supplies.
    Part,
    /// A part the client brought: listed apart, not charged.
    ClientPart,
}

/// One line of works or parts, with its figures as the domain computed them.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Labour, part or the client's part.
    pub kind: LineKind,
    /// The work, or the part's name.
    pub name: String,
    /// The part's number.
    pub part_number: Option<String>,
    /// Norm-hours or quantity, written out (`1,5`).
    pub quantity: String,
    /// The rate of a norm-hour or the unit price.
    pub unit_price: Kopecks,
    /// The discount on the line.
    pub discount: Kopecks,
    /// The amount after the discount.
    pub amount: Kopecks,
    /// The mechanic, for a work.
    pub mechanic: Option<String>,
}

/// The document's totals, as the domain's `totals()` gave them.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Works before discounts.
    pub labour: Kopecks,
    /// Parts before discounts.
    pub parts: Kopecks,
    /// All discounts.
    pub discount: Kopecks,
    /// What the client pays.
    pub total: Kopecks,
    /// The VAT rate, written out (`22 %`, or `без НДС`).
    pub vat_rate: String,
    /// The VAT within the total.
    pub vat: Kopecks,
}

/// The client's approval of the estimate, as the log recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct Approval {
    /// When.
    pub at: String,
    /// How (`по ссылке`, `лично`, `по телефону`).
    pub how: String,
}

/// The shop's own texts the owner edits in the settings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShopTexts {
    /// The guarantee terms (гарантийные обязательства).
    pub guarantee: String,
    /// Any other note printed at the foot.
    pub notes: String,
}

/// Заказ-наряд: the contract at intake.
#[derive(Debug, Clone, Serialize)]
pub struct WorkOrderDocument {
    /// The order's number.
    pub number: String,
    /// When the car was received (the intake event).
    pub received_at: String,
    /// When the car was promised, if it was.
    pub promised_at: Option<String>,
    /// The contractor.
    pub shop: Shop,
    /// The customer.
    pub client: Party,
    /// The car.
    pub vehicle: Vehicle,
    /// The complaints, in the client's words.
    pub complaints: Vec<String>,
    /// Visible damage and completeness noted at intake.
    pub intake_notes: Vec<String>,
    /// The works and parts of the estimate.
    pub lines: Vec<Line>,
    /// Totals.
    pub totals: Totals,
    /// The client's approval of the estimate, when given.
    pub approval: Option<Approval>,
    /// The advisor who took the order.
    pub advisor: Option<String>,
    /// The shop's texts.
    pub texts: ShopTexts,
}

/// Акт выполненных работ: what was done, at handover.
#[derive(Debug, Clone, Serialize)]
pub struct ActDocument {
    /// The order's number (the act is numbered after it).
    pub number: String,
    /// When the work was completed (the completion event).
    pub completed_at: String,
    /// When the car was received.
    pub received_at: String,
    /// The contractor.
    pub shop: Shop,
    /// The customer.
    pub client: Party,
    /// The car.
    pub vehicle: Vehicle,
    /// The works and parts as done.
    pub lines: Vec<Line>,
    /// Totals.
    pub totals: Totals,
    /// Work found but not done.
    pub recommendations: Vec<String>,
    /// The shop's texts.
    pub texts: ShopTexts,
}

/// Счёт на оплату: for a company payer.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceDocument {
    /// The invoice's number.
    pub number: String,
    /// When it was issued.
    pub issued_at: String,
    /// The order it is for.
    pub work_order_number: String,
    /// The contractor (with the bank account).
    pub shop: Shop,
    /// Who pays.
    pub payer: Party,
    /// The lines, frozen at issue.
    pub lines: Vec<Line>,
    /// What the invoice asks.
    pub total: Kopecks,
    /// The VAT within that, with its rate.
    pub vat: Kopecks,
    /// The VAT rate, written out.
    pub vat_rate: String,
    /// The shop's texts.
    pub texts: ShopTexts,
}

/// A payment receipt (квитанция): one payment on an invoice.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptDocument {
    /// The invoice's number.
    pub invoice_number: String,
    /// The payment's number within the invoice (1, 2, …).
    pub payment_number: u32,
    /// When the payment was taken.
    pub paid_at: String,
    /// The order it is for.
    pub work_order_number: String,
    /// The contractor.
    pub shop: Shop,
    /// Who paid.
    pub payer: Party,
    /// The amount taken.
    pub amount: Kopecks,
    /// How (`наличные`, `карта`, `перевод`).
    pub method: String,
    /// The invoice's total.
    pub invoice_total: Kopecks,
    /// Paid on the invoice up to and including this payment.
    pub paid_so_far: Kopecks,
    /// Still owed after this payment.
    pub balance_after: Kopecks,
}

/// Any of the four, with the instant its PDF is dated by (a fact's time, never the clock).
#[derive(Debug, Clone)]
pub enum Document {
    /// Заказ-наряд.
    WorkOrder(WorkOrderDocument),
    /// Акт выполненных работ.
    Act(ActDocument),
    /// Счёт на оплату.
    Invoice(InvoiceDocument),
    /// Квитанция об оплате.
    Receipt(ReceiptDocument),
}
