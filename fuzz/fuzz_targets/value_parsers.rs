//! The domain's value parsers on arbitrary text and numbers: none may panic, and whatever one
//! accepts it accepts again in its canonical form, unchanged (what is stored parses back as itself).
#![no_main]

use aggregates::contact::{Bik, Email, Inn, Kpp, Ogrn, Phone};
use aggregates::directory::Code;
use aggregates::money::{round_half_up, Money, NormHours, Percent, Quantity};
use aggregates::vehicle_ids::{Plate, Vin};
use libfuzzer_sys::fuzz_target;

/// Parses `raw`; if accepted, its canonical text must parse to the same value.
macro_rules! stable {
    ($type:ty, $raw:expr) => {
        if let Ok(value) = <$type>::parse($raw) {
            let again = <$type>::parse(value.as_str());
            assert_eq!(
                again.as_ref().ok(),
                Some(&value),
                "{} {:?} → {:?} does not parse back",
                stringify!($type),
                $raw,
                value.as_str()
            );
        }
    };
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let raw: &str = &text;
    stable!(Vin, raw);
    stable!(Plate, raw);
    let _ = Plate::canonical_form(raw);
    stable!(Phone, raw);
    stable!(Email, raw);
    stable!(Inn, raw);
    stable!(Kpp, raw);
    stable!(Ogrn, raw);
    stable!(Bik, raw);
    stable!(Code, raw);

    // The numbers the request bodies carry: tenths of a norm-hour, thousandths of a unit, basis
    // points, kopecks; every constructor either refuses or yields a value inside its range.
    let mut bytes = [0u8; 16];
    for (slot, byte) in bytes.iter_mut().zip(data.iter().rev()) {
        *slot = *byte;
    }
    let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let half = u16::from_le_bytes([bytes[4], bytes[5]]);
    let kopecks = i64::from_le_bytes([
        bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13],
    ]);
    if let Ok(hours) = NormHours::from_tenths(word) {
        assert!((1..=NormHours::MAX_TENTHS).contains(&hours.tenths()));
    }
    if let Ok(quantity) = Quantity::from_thousandths(word) {
        assert!(quantity.thousandths() >= 1);
    }
    let _ = Quantity::units(word);
    if let Ok(percent) = Percent::from_basis_points(half) {
        // A share of an amount is never more than the amount itself.
        let share = percent.of(Money::kopecks(kopecks));
        assert!(share.as_kopecks().unsigned_abs() <= kopecks.unsigned_abs());
    }
    let _ = Percent::whole(half);
    // The one rounding rule, on the products the domain forms (kopecks × thousandths or basis points).
    let denominator = i128::from(u16::from_le_bytes([bytes[14], bytes[15]])).max(1);
    let _ = round_half_up(i128::from(kopecks) * i128::from(word), denominator);
});
