//! Money as the API shows it: whole kopecks inside, roubles with two decimals outside.
//!
//! The read models keep `numeric` roubles; every query turns them into kopecks in its SQL
//! (`(total * 100)::bigint AS "total!: Rub"`), so no float holds money on the way out.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// Money as the shop writes it: roubles with two decimals (`"1234.50"`), never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(transparent)]
pub struct Rub(pub i64);

#[Scalar(name = "Money")]
impl ScalarType for Rub {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
        let kopecks = whole
            .parse::<i64>()
            .ok()
            .zip(
                format!("{fraction:0<2}")
                    .get(..2)
                    .and_then(|f| f.parse::<i64>().ok()),
            )
            .map(|(r, k)| r * 100 + if r < 0 { -k } else { k });
        kopecks
            .map(Rub)
            .ok_or_else(|| InputValueError::custom("money is roubles with up to two decimals"))
    }

    fn to_value(&self) -> Value {
        Value::String(aggregates::money::Money::kopecks(self.0).to_string())
    }
}
