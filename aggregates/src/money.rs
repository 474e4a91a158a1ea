//! Money and the shop's measures, in integers: kopecks, tenths of a norm-hour, basis points, thousandths.
//!
//! Events are kept forever, so nothing here is a float. Every rounding happens in [`round_half_up`], and
//! the document totals are computed by [`crate::work_order::totals`] only.
//!
//! No arithmetic here panics or wraps. `checked_add`/`checked_sub` say when a result would leave the
//! 64-bit range; `+`, `-` and `sum` saturate at it. The domain never accepts a figure above the
//! bounds of [`crate::bounds`] (10¹¹ kopecks at most, i64 holds 9·10¹⁸), so an accepted figure never
//! saturates; saturation only keeps a state folded from an absurd old event (stored before the
//! bounds) computable, and a saturated figure is far above every bound, so a decision that checks it
//! refuses rather than accepts it.

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An amount of money in kopecks (1 rouble = 100 kopecks). May be negative only as a difference.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(0);

    /// An amount in kopecks.
    pub const fn kopecks(kopecks: i64) -> Self {
        Self(kopecks)
    }

    /// An amount in whole roubles (saturating at the 64-bit limit, never panicking).
    pub const fn roubles(roubles: i64) -> Self {
        Self(roubles.saturating_mul(100))
    }

    /// The amount in kopecks.
    pub const fn as_kopecks(self) -> i64 {
        self.0
    }

    /// A price or payment: must be above zero.
    pub fn positive(self, field: &'static str) -> Result<Self, DomainError> {
        if self.0 > 0 {
            Ok(self)
        } else {
            Err(DomainError::AmountNotPositive { field })
        }
    }

    /// A price that may be zero (a free check-up) but never negative.
    pub fn non_negative(self, field: &'static str) -> Result<Self, DomainError> {
        if self.0 >= 0 {
            Ok(self)
        } else {
            Err(DomainError::AmountNegative { field })
        }
    }

    /// The sum, or `None` if it leaves the 64-bit range.
    pub const fn checked_add(self, other: Money) -> Option<Money> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Money(sum)),
            None => None,
        }
    }

    /// The difference, or `None` if it leaves the 64-bit range.
    pub const fn checked_sub(self, other: Money) -> Option<Money> {
        match self.0.checked_sub(other.0) {
            Some(difference) => Some(Money(difference)),
            None => None,
        }
    }

    /// The sum of `amounts`, or `None` if any partial sum leaves the 64-bit range.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |sum, amount| sum.checked_add(amount))
    }
}

/// Saturates at the 64-bit limits instead of panicking (debug) or wrapping (release): see the
/// module's doc for why an accepted figure never gets there.
impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

/// Saturates like `+`.
impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
    }
}

/// Saturates like `+`.
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    /// Roubles with two decimals: `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Norm-hours in tenths (1.5 h is 15): the shop's unit of labour, priced by the rate per norm-hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NormHours(u32);

impl NormHours {
    /// The most one line may hold: 999.9 h.
    pub const MAX_TENTHS: u32 = 9_999;

    /// Norm-hours from tenths: above zero, at most 999.9 h.
    pub fn from_tenths(tenths: u32) -> Result<Self, DomainError> {
        if (1..=Self::MAX_TENTHS).contains(&tenths) {
            Ok(Self(tenths))
        } else {
            Err(DomainError::InvalidNormHours { tenths })
        }
    }

    /// The tenths of a norm-hour.
    pub const fn tenths(self) -> u32 {
        self.0
    }
}

/// A percentage in hundredths of a percent (basis points): 12.5 % is 1250. From 0 to 100 %.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Percent(u16);

impl Percent {
    /// No discount.
    pub const ZERO: Percent = Percent(0);

    /// A percentage from basis points; at most 100 %.
    pub fn from_basis_points(basis_points: u16) -> Result<Self, DomainError> {
        if basis_points <= 10_000 {
            Ok(Self(basis_points))
        } else {
            Err(DomainError::InvalidPercent { basis_points })
        }
    }

    /// Whole percent, e.g. a VAT rate of 22.
    pub fn whole(percent: u16) -> Result<Self, DomainError> {
        Self::from_basis_points(percent.saturating_mul(100))
    }

    /// The basis points.
    pub const fn basis_points(self) -> u16 {
        self.0
    }

    /// This share of `amount`, rounded half up to the kopeck.
    pub fn of(self, amount: Money) -> Money {
        Money(round_half_up(
            i128::from(amount.as_kopecks()) * i128::from(self.0),
            10_000,
        ))
    }
}

/// A quantity of parts in thousandths (1 litre of oil is 1000, a filter is 1000, 2.5 m of hose 2500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(u32);

impl Quantity {
    /// Quantity from thousandths: above zero, at most 10 000 units
    /// ([`crate::bounds::MAX_QUANTITY_THOUSANDTHS`]).
    pub fn from_thousandths(thousandths: u32) -> Result<Self, DomainError> {
        if (1..=crate::bounds::MAX_QUANTITY_THOUSANDTHS).contains(&thousandths) {
            Ok(Self(thousandths))
        } else {
            Err(DomainError::InvalidQuantity { thousandths })
        }
    }

    /// Whole units.
    pub fn units(units: u32) -> Result<Self, DomainError> {
        Self::from_thousandths(units.saturating_mul(1000))
    }

    /// The thousandths.
    pub const fn thousandths(self) -> u32 {
        self.0
    }
}

/// `numerator / denominator` rounded to the nearest integer, halves away from zero.
///
/// The one rounding rule of Motorlog: every kopeck figure (a line's amount, a discount, VAT) is rounded
/// this way, once, from exact integer arithmetic.
pub fn round_half_up(numerator: i128, denominator: i128) -> i64 {
    debug_assert!(denominator > 0);
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    let rounded = if remainder.abs() * 2 >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_halves_away_from_zero() {
        assert_eq!(round_half_up(5, 10), 1);
        assert_eq!(round_half_up(4, 10), 0);
        assert_eq!(round_half_up(-5, 10), -1);
        assert_eq!(round_half_up(15, 10), 2);
        assert_eq!(round_half_up(25, 10), 3);
    }

    #[test]
    fn money_displays_roubles_and_kopecks() {
        assert_eq!(Money::kopecks(123_450).to_string(), "1234.50");
        assert_eq!(Money::kopecks(-5).to_string(), "-0.05");
    }

    #[test]
    fn a_percent_of_money_rounds_to_the_kopeck() {
        let ten_and_a_half = Percent::from_basis_points(1050).unwrap();
        // 10.5 % of 333.33 = 34.99965 → 35.00
        assert_eq!(
            ten_and_a_half.of(Money::kopecks(33_333)),
            Money::kopecks(3_500)
        );
        assert!(Percent::from_basis_points(10_001).is_err());
    }
}
