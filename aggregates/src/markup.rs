//! The markup matrix (матрица наценок): a part's selling price from its purchase price.
//!
//! Shops mark cheap parts up more than dear ones (a 30 ₽ clip at 100 %, a 30 000 ₽ gearbox at
//! 15 %), and some categories differently (oils, body parts). A [`MarkupScale`] maps ranges of the
//! purchase price to a markup; a [`MarkupMatrix`] has a default scale and one per category.
//!
//! A scale covers every price exactly once: its ranges start at zero, each begins where the one
//! before ends, and the last is open-ended. So no price is left without a markup nobody chose and
//! none gets two. The selling price is rounded half up to the kopeck, by the crate's one rounding
//! rule ([`round_half_up`]).
//!
//! The settings hold the scales (`Settings::selling_price`); a catalogue parts line without a price
//! of its own is priced by them from the part's average purchase cost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::directory::Code;
use crate::money::{round_half_up, Money};
use crate::DomainError;

/// A markup on the purchase price, in hundredths of a percent: 35 % is 3 500. From 0 to 1000 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Markup(u32);

impl Markup {
    /// The highest markup: 1000 %, in basis points.
    pub const MAX_BASIS_POINTS: u32 = 100_000;

    /// A markup from basis points, at most 1000 %.
    pub fn from_basis_points(basis_points: u32) -> Result<Self, DomainError> {
        if basis_points <= Self::MAX_BASIS_POINTS {
            Ok(Self(basis_points))
        } else {
            Err(DomainError::InvalidMarkupMatrix {
                reason: "a markup is from 0 to 1000 %",
            })
        }
    }

    /// Whole percent.
    pub fn whole(percent: u32) -> Result<Self, DomainError> {
        Self::from_basis_points(percent.saturating_mul(100))
    }

    /// The basis points.
    pub const fn basis_points(self) -> u32 {
        self.0
    }

    /// `purchase` marked up: purchase + purchase × markup, rounded half up to the kopeck.
    pub fn apply(self, purchase: Money) -> Money {
        let numerator = i128::from(purchase.as_kopecks()) * (10_000 + i128::from(self.0));
        Money::kopecks(round_half_up(numerator, 10_000))
    }
}

impl TryFrom<u32> for Markup {
    type Error = DomainError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::from_basis_points(value)
    }
}

impl From<Markup> for u32 {
    fn from(markup: Markup) -> u32 {
        markup.0
    }
}

/// Purchase prices from `from` (inclusive) up to `to` (exclusive; none: and above) get `markup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkupRange {
    /// The lowest purchase price of the range.
    pub from: Money,
    /// The first price above the range, or none for the last range.
    pub to: Option<Money>,
    /// The markup.
    pub markup: Markup,
}

/// Ranges covering every purchase price exactly once, in ascending order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<MarkupRange>", into = "Vec<MarkupRange>")]
pub struct MarkupScale(Vec<MarkupRange>);

impl MarkupScale {
    /// A scale from its ranges: starting at zero, each beginning where the last ended (so ordered,
    /// without gaps or overlaps), each non-empty, only the last open-ended.
    pub fn new(ranges: Vec<MarkupRange>) -> Result<Self, DomainError> {
        let invalid = |reason| Err(DomainError::InvalidMarkupMatrix { reason });
        let Some(first) = ranges.first() else {
            return invalid("a scale needs at least one range");
        };
        if first.from != Money::ZERO {
            return invalid("the first range starts at zero");
        }
        let mut expected_from = Money::ZERO;
        for (i, range) in ranges.iter().enumerate() {
            if range.from != expected_from {
                return invalid("each range starts where the one before ends");
            }
            match (range.to, i + 1 == ranges.len()) {
                (None, true) => {}
                (None, false) => return invalid("only the last range is open-ended"),
                (Some(_), true) => return invalid("the last range is open-ended"),
                (Some(to), false) if to <= range.from => {
                    return invalid("a range ends above where it starts")
                }
                (Some(to), false) => expected_from = to,
            }
        }
        Ok(Self(ranges))
    }

    /// A scale with one markup for every price.
    pub fn flat(markup: Markup) -> Self {
        Self(vec![MarkupRange {
            from: Money::ZERO,
            to: None,
            markup,
        }])
    }

    /// The ranges, ascending.
    pub fn ranges(&self) -> &[MarkupRange] {
        &self.0
    }

    /// The markup for a purchase price (a negative price gets the first range's).
    pub fn markup_for(&self, purchase: Money) -> Markup {
        self.0
            .iter()
            .find(|range| range.to.is_none_or(|to| purchase < to))
            .or(self.0.last())
            .map_or(Markup(0), |range| range.markup)
    }
}

impl TryFrom<Vec<MarkupRange>> for MarkupScale {
    type Error = DomainError;
    fn try_from(ranges: Vec<MarkupRange>) -> Result<Self, Self::Error> {
        Self::new(ranges)
    }
}

impl From<MarkupScale> for Vec<MarkupRange> {
    fn from(scale: MarkupScale) -> Self {
        scale.0
    }
}

/// The shop's markups: a default scale, and a scale of its own for some part categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkupMatrix {
    /// For parts whose category has no scale of its own.
    pub default: MarkupScale,
    /// Per part category.
    pub by_category: BTreeMap<Code, MarkupScale>,
}

impl MarkupMatrix {
    /// The scale for parts of `category`.
    pub fn scale_for(&self, category: &Code) -> &MarkupScale {
        self.by_category.get(category).unwrap_or(&self.default)
    }

    /// The selling price of a part of `category` bought at `purchase`: the purchase price marked
    /// up by the category's scale, rounded half up to the kopeck, within
    /// [`bounds::MAX_UNIT_PRICE`].
    pub fn selling_price(&self, category: &Code, purchase: Money) -> Result<Money, DomainError> {
        let purchase = bounds::at_most(
            purchase.non_negative("purchase_price")?,
            bounds::MAX_UNIT_PRICE,
            "purchase_price",
        )?;
        let price = self
            .scale_for(category)
            .markup_for(purchase)
            .apply(purchase);
        bounds::at_most(price, bounds::MAX_UNIT_PRICE, "unit_price")
    }
}
