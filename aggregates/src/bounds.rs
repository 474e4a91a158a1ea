//! The largest figures a shop can really bill, in one place.
//!
//! Every price, quantity and total the domain accepts is at or below these bounds, so:
//! - a pasted barcode in a price field is refused with `amount_out_of_range` (the bound in the
//!   error) instead of becoming a fact the log keeps forever;
//! - no sum of accepted figures comes near the 64-bit limit (the largest document is 10¹¹ kopecks,
//!   i64 holds 9·10¹⁸), so [`Money`]'s arithmetic never saturates on an accepted figure;
//! - every read model can store every accepted event: the money columns are `NUMERIC(14, 2)`
//!   (up to 10¹² ₽, a thousand times the largest document), quantities `NUMERIC(12, 3)` and
//!   norm-hours `NUMERIC(6, 1)`; ClickHouse keeps `Int64` kopecks. A test in `projections` reads the
//!   columns' precision from the database and checks it against these constants.
//!
//! The bounds, and why they are generous but not absurd:
//!
//! | what | bound | a real shop's largest |
//! |---|---|---|
//! | norm-hour rate | 100 000 ₽ | a dealer's rate is 3 000–15 000 ₽ |
//! | norm-hours on a line | 999.9 h ([`NormHours::MAX_TENTHS`]) | a full restoration, a few hundred hours |
//! | parts unit price | 10 000 000 ₽ | a truck's engine or a supercar's gearbox, a few million |
//! | parts quantity on a line | 10 000 units ([`MAX_QUANTITY_THOUSANDTHS`]) | a fleet's filters, bolts by the box |
//! | a line's amount | 100 000 000 ₽ | ten engines for a bus fleet |
//! | a work order's or invoice's total, a payment, a refund | 1 000 000 000 ₽ | a fleet's yearly contract on one order |
//! | mileage | 9 999 999 km ([`crate::vehicle::MAX_MILEAGE_KM`]) | an odometer's seven digits |

use crate::money::{Money, NormHours};
use crate::work_order::{LabourLine, PartsLine, PricedLine};
use crate::DomainError;

/// The highest norm-hour rate: 100 000 ₽.
pub const MAX_RATE: Money = Money::roubles(100_000);

/// The highest unit price of a part: 10 000 000 ₽.
pub const MAX_UNIT_PRICE: Money = Money::roubles(10_000_000);

/// The most parts on one line: 10 000 units, in thousandths.
pub const MAX_QUANTITY_THOUSANDTHS: u32 = 10_000_000;

/// The most norm-hours on one line, in tenths (999.9 h).
pub const MAX_NORM_HOURS_TENTHS: u32 = NormHours::MAX_TENTHS;

/// The largest amount of one line, before discount: 100 000 000 ₽.
pub const MAX_LINE_AMOUNT: Money = Money::roubles(100_000_000);

/// The largest work order or invoice total, payment and refund: 1 000 000 000 ₽.
pub const MAX_DOCUMENT_TOTAL: Money = Money::roubles(1_000_000_000);

/// `amount` if it is at most `max`, else `amount_out_of_range` naming `field`.
pub fn at_most(amount: Money, max: Money, field: &'static str) -> Result<Money, DomainError> {
    if amount <= max {
        Ok(amount)
    } else {
        Err(DomainError::AmountOutOfRange {
            field,
            max,
            attempted: amount,
        })
    }
}

/// A work order's lines, after a line was added or changed: each line's gross amount within
/// [`MAX_LINE_AMOUNT`], and labour plus parts (before discounts, so the total, the discount and the
/// VAT are all within it too) within [`MAX_DOCUMENT_TOTAL`]. Summed exactly in 128 bits, so an
/// absurd line cannot wrap around into an acceptable figure.
pub fn check_lines(labour: &[LabourLine], parts: &[PartsLine]) -> Result<(), DomainError> {
    let mut sum: i128 = 0;
    let grosses = labour
        .iter()
        .map(PricedLine::gross)
        .chain(parts.iter().map(PricedLine::gross));
    for gross in grosses {
        at_most(gross, MAX_LINE_AMOUNT, "line_amount")?;
        sum += i128::from(gross.as_kopecks());
    }
    let sum = Money::kopecks(i64::try_from(sum).unwrap_or(i64::MAX));
    at_most(sum, MAX_DOCUMENT_TOTAL, "order_total")?;
    Ok(())
}
