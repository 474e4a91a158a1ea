//! The bounds of what a shop can bill (`aggregates::bounds`) and money arithmetic that never panics:
//! an absurd figure is refused with `amount_out_of_range` and the bound, figures at the bounds are
//! accepted, and sums near the 64-bit limit neither panic nor wrap.

use aggregates::bounds::{
    MAX_DOCUMENT_TOTAL, MAX_LINE_AMOUNT, MAX_QUANTITY_THOUSANDTHS, MAX_RATE, MAX_UNIT_PRICE,
};
use aggregates::ids::{InvoiceId, PaymentId, RefundId};
use aggregates::invoice::{Invoice, InvoiceCommand};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::settings::{Settings, SettingsCommand};
use aggregates::work_order::{
    totals, LabourService, PricedLine, WorkOrder, WorkOrderCommand as C, WorkOrderEvent as E,
};
use aggregates::{Aggregate, DomainError, Versioned};
use proptest::prelude::*;

use crate::work_order::{accepted, line, opened};
use crate::{at, given};

/// A pasted EAN-13 barcode, read as kopecks.
const BARCODE: i64 = 4_607_034_170_015;

fn add_parts(n: u128, units: u32, unit_price: Money) -> C {
    C::AddPartsLine {
        line_id: line(n),
        part_number: "4607034170015".into(),
        name: "Двигатель в сборе".into(),
        quantity: Quantity::units(units).unwrap(),
        unit_price,
        discount: Percent::ZERO,
        client_supplied: false,
        part_id: None,
    }
}

fn add_labour(n: u128, tenths: u32, rate: Money) -> C {
    C::AddLabourLine {
        line_id: line(n),
        service: LabourService::FreeText {
            name: "Капитальный ремонт двигателя".into(),
        },
        norm_hours: NormHours::from_tenths(tenths).unwrap(),
        rate,
        discount: Percent::ZERO,
        mechanic: None,
    }
}

fn parts_added(n: u128, units: u32, unit_price: Money) -> E {
    E::PartsLineAdded {
        line_id: line(n),
        part_number: "4607034170015".into(),
        name: "Двигатель в сборе".into(),
        quantity: Quantity::units(units).unwrap(),
        unit_price,
        discount: Percent::ZERO,
        client_supplied: false,
        part_id: None,
    }
}

#[track_caller]
fn out_of_range(error: DomainError, field: &str, max: Money) {
    match error {
        DomainError::AmountOutOfRange {
            field: f, max: m, ..
        } => {
            assert_eq!((f, m), (field, max));
        }
        other => panic!("expected amount_out_of_range on {field}, got {other:?}"),
    }
}

#[test]
fn a_pasted_barcode_as_a_parts_price_is_refused_with_the_bound() {
    let error = given::<WorkOrder>(vec![opened(), accepted()])
        .when(add_parts(1, 1, Money::kopecks(BARCODE)))
        .then_err("amount_out_of_range");
    out_of_range(error, "unit_price", MAX_UNIT_PRICE);
    // Changing a line to the barcode is refused the same way.
    let error = given::<WorkOrder>(vec![
        opened(),
        accepted(),
        parts_added(1, 1, Money::roubles(10)),
    ])
    .when(C::ChangePartsLine {
        line_id: line(1),
        quantity: Quantity::units(1).unwrap(),
        unit_price: Money::kopecks(BARCODE),
        discount: Percent::ZERO,
    })
    .then_err("amount_out_of_range");
    out_of_range(error, "unit_price", MAX_UNIT_PRICE);
}

#[test]
fn a_price_and_a_rate_at_their_bounds_are_accepted_one_kopeck_more_is_not() {
    given::<WorkOrder>(vec![opened(), accepted()])
        .when(add_parts(1, 1, MAX_UNIT_PRICE))
        .events();
    given::<WorkOrder>(vec![opened(), accepted()])
        .when(add_labour(1, NormHours::MAX_TENTHS, MAX_RATE))
        .events();
    let error = given::<WorkOrder>(vec![opened(), accepted()])
        .when(add_labour(1, 10, MAX_RATE + Money::kopecks(1)))
        .then_err("amount_out_of_range");
    out_of_range(error, "rate", MAX_RATE);
    let error = given::<Settings>(vec![])
        .when(SettingsCommand::SetNormHourRate {
            category: None,
            rate: MAX_RATE + Money::kopecks(1),
        })
        .then_err("amount_out_of_range");
    out_of_range(error, "rate", MAX_RATE);
}

#[test]
fn a_line_above_the_line_bound_is_refused() {
    // 11 engines at the highest unit price: 110 000 000 ₽ on one line.
    let error = given::<WorkOrder>(vec![opened(), accepted()])
        .when(add_parts(1, 11, MAX_UNIT_PRICE))
        .then_err("amount_out_of_range");
    out_of_range(error, "line_amount", MAX_LINE_AMOUNT);
    given::<WorkOrder>(vec![opened(), accepted()])
        .when(add_parts(1, 10, MAX_UNIT_PRICE))
        .events();
}

#[test]
fn an_order_above_the_document_bound_is_refused() {
    // Ten lines at the line bound are exactly the document bound: accepted; a kopeck more is not.
    let mut history = vec![opened(), accepted()];
    history.extend((1..=10).map(|n| parts_added(n, 10, MAX_UNIT_PRICE)));
    let order = Versioned::<WorkOrder>::from_events(&history).state;
    assert_eq!(order.totals().total, MAX_DOCUMENT_TOTAL);
    let error = given::<WorkOrder>(history.clone())
        .when(add_parts(11, 1, Money::kopecks(1)))
        .then_err("amount_out_of_range");
    out_of_range(error, "order_total", MAX_DOCUMENT_TOTAL);
    // A removal is always possible, and a change that keeps the total within the bound too.
    given::<WorkOrder>(history.clone())
        .when(C::RemoveLine { line_id: line(1) })
        .events();
    given::<WorkOrder>(history)
        .when(C::ChangePartsLine {
            line_id: line(1),
            quantity: Quantity::units(9).unwrap(),
            unit_price: MAX_UNIT_PRICE,
            discount: Percent::ZERO,
        })
        .events();
}

#[test]
fn a_quantity_above_ten_thousand_units_is_refused() {
    assert!(Quantity::units(10_000).is_ok());
    assert_eq!(
        Quantity::from_thousandths(MAX_QUANTITY_THOUSANDTHS + 1)
            .unwrap_err()
            .code(),
        "invalid_quantity"
    );
}

/// An order whose lines were stored before the bounds existed: the absurd figures saturate instead of
/// panicking, the order can still be read and mended, and nothing is added on top of it.
#[test]
fn an_absurd_order_from_before_the_bounds_folds_without_panicking_and_can_be_mended() {
    let history = vec![
        opened(),
        accepted(),
        parts_added(1, 10_000, Money::kopecks(i64::MAX)),
        parts_added(2, 10_000, Money::kopecks(i64::MAX)),
    ];
    let order = Versioned::<WorkOrder>::from_events(&history).state;
    let totals = order.totals();
    assert_eq!(totals.parts, Money::kopecks(i64::MAX));
    assert!(totals.total > MAX_DOCUMENT_TOTAL);
    given::<WorkOrder>(history.clone())
        .when(add_parts(3, 1, Money::roubles(100)))
        .then_err("amount_out_of_range");
    let without_one = given::<WorkOrder>(history.clone())
        .when(C::RemoveLine { line_id: line(1) })
        .events();
    let mut mended = history;
    mended.extend(without_one);
    mended.extend(
        given::<WorkOrder>(mended.clone())
            .when(C::RemoveLine { line_id: line(2) })
            .events(),
    );
    given::<WorkOrder>(mended)
        .when(add_parts(3, 1, Money::roubles(100)))
        .events();
}

fn issued_invoice(total: Money) -> Invoice {
    let mut history = vec![opened(), accepted()];
    history.push(parts_added(1, 1, total));
    let order = Versioned::<WorkOrder>::from_events(&history).state;
    let basis = aggregates::work_order::InvoiceBasis {
        work_order_id: order.id.unwrap(),
        work_order_number: order.number.clone(),
        client_id: order.client_id.unwrap(),
        lines: Vec::new(),
        totals: order.totals(),
    };
    Invoice {
        id: Some(InvoiceId(crate::id(30))),
        number: "СЧ-000001".into(),
        basis: Some(basis),
        ..Invoice::default()
    }
}

#[test]
fn a_payment_or_refund_above_the_document_bound_is_refused_with_the_bound() {
    let invoice = issued_invoice(Money::roubles(5_000));
    let error = invoice
        .decide(InvoiceCommand::RecordPayment {
            payment_id: PaymentId(crate::id(300)),
            amount: Money::kopecks(BARCODE * 1000),
            method: "card".into(),
            reference: None,
            at: at(96),
        })
        .unwrap_err();
    out_of_range(error, "amount", MAX_DOCUMENT_TOTAL);
    let error = invoice
        .decide(InvoiceCommand::RecordRefund {
            refund_id: RefundId(crate::id(400)),
            amount: Money::kopecks(i64::MAX),
            method: "cash".into(),
            reason: "Ошибка кассира".into(),
            at: at(97),
        })
        .unwrap_err();
    out_of_range(error, "amount", MAX_DOCUMENT_TOTAL);
}

#[test]
fn sums_near_the_64_bit_limit_neither_panic_nor_wrap() {
    let top = Money::kopecks(i64::MAX);
    assert_eq!(top.checked_add(Money::kopecks(1)), None);
    assert_eq!(
        Money::kopecks(i64::MIN).checked_sub(Money::kopecks(1)),
        None
    );
    assert_eq!(top + Money::kopecks(1), top);
    assert_eq!(Money::kopecks(i64::MIN) - top, Money::kopecks(i64::MIN));
    assert_eq!([top, top].into_iter().sum::<Money>(), top);
    assert_eq!(Money::checked_sum([top, Money::kopecks(1)]), None);
    assert_eq!(
        Money::checked_sum([Money::kopecks(2), Money::kopecks(3)]),
        Some(Money::kopecks(5))
    );
    assert_eq!(Money::roubles(i64::MAX), top);
}

/// A figure from anywhere in i64, most of them near the bounds or the 64-bit limit.
fn kopecks() -> impl Strategy<Value = i64> {
    prop_oneof![
        0..=MAX_UNIT_PRICE.as_kopecks() * 2,
        (MAX_RATE.as_kopecks() - 3)..=(MAX_RATE.as_kopecks() + 3),
        (MAX_UNIT_PRICE.as_kopecks() - 3)..=(MAX_UNIT_PRICE.as_kopecks() + 3),
        Just(BARCODE),
        (i64::MAX - 3)..=i64::MAX,
        any::<i64>(),
    ]
}

fn thousandths() -> impl Strategy<Value = u32> {
    prop_oneof![
        1..=MAX_QUANTITY_THOUSANDTHS,
        Just(MAX_QUANTITY_THOUSANDTHS),
        Just(1_000),
        1_000..=10_000u32,
    ]
}

fn line_command() -> impl Strategy<Value = C> {
    prop_oneof![
        (
            0..16u128,
            1..=NormHours::MAX_TENTHS,
            kopecks(),
            0..=10_000u16
        )
            .prop_map(|(n, tenths, rate, discount)| C::AddLabourLine {
                line_id: line(n),
                service: LabourService::FreeText {
                    name: "Работа".into()
                },
                norm_hours: NormHours::from_tenths(tenths).unwrap(),
                rate: Money::kopecks(rate),
                discount: Percent::from_basis_points(discount).unwrap(),
                mechanic: None,
            }),
        (0..16u128, thousandths(), kopecks(), 0..=10_000u16).prop_map(
            |(n, quantity, price, discount)| C::AddPartsLine {
                line_id: line(n),
                part_number: "A-1".into(),
                name: "Деталь".into(),
                quantity: Quantity::from_thousandths(quantity).unwrap(),
                unit_price: Money::kopecks(price),
                discount: Percent::from_basis_points(discount).unwrap(),
                client_supplied: false,
                part_id: None,
            }
        ),
        (0..16u128, thousandths(), kopecks()).prop_map(|(n, quantity, price)| {
            C::ChangePartsLine {
                line_id: line(n),
                quantity: Quantity::from_thousandths(quantity).unwrap(),
                unit_price: Money::kopecks(price),
                discount: Percent::ZERO,
            }
        }),
        (0..16u128, 1..=NormHours::MAX_TENTHS, kopecks()).prop_map(|(n, tenths, rate)| {
            C::ChangeLabourLine {
                line_id: line(n),
                norm_hours: NormHours::from_tenths(tenths).unwrap(),
                rate: Some(Money::kopecks(rate)),
                discount: Percent::ZERO,
            }
        }),
        (0..16u128).prop_map(|n| C::RemoveLine { line_id: line(n) }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A line command is accepted exactly when the order after it is within every bound, and an
    /// accepted order's totals are the exact (128-bit) sums of its lines.
    #[test]
    fn an_order_is_accepted_exactly_within_the_bounds(commands in prop::collection::vec(line_command(), 1..24)) {
        let mut order = Versioned::<WorkOrder>::from_events(&[opened(), accepted()]).state;
        for command in commands {
            match order.decide(command) {
                Ok(events) => {
                    order = events.iter().fold(order, |state, e| state.evolve(e));
                    let mut gross: i128 = 0;
                    let mut discount: i128 = 0;
                    for line in &order.labour {
                        prop_assert!(line.rate <= MAX_RATE);
                        prop_assert!(line.gross() <= MAX_LINE_AMOUNT);
                        gross += i128::from(line.gross().as_kopecks());
                        discount += i128::from(line.discount_amount().as_kopecks());
                    }
                    for line in &order.parts {
                        prop_assert!(line.unit_price <= MAX_UNIT_PRICE);
                        prop_assert!(line.gross() <= MAX_LINE_AMOUNT);
                        gross += i128::from(line.gross().as_kopecks());
                        discount += i128::from(line.discount_amount().as_kopecks());
                    }
                    let t = totals(&order.labour, &order.parts, order.vat_rate);
                    prop_assert!(gross <= i128::from(MAX_DOCUMENT_TOTAL.as_kopecks()));
                    prop_assert!(t.labour + t.parts <= MAX_DOCUMENT_TOTAL);
                    prop_assert_eq!(i128::from(t.discount.as_kopecks()), discount);
                    prop_assert_eq!(t.total, t.labour + t.parts - t.discount);
                    prop_assert!(t.total >= Money::ZERO && t.vat <= t.total);
                }
                Err(DomainError::AmountOutOfRange { field, max, attempted }) => {
                    prop_assert!(attempted > max, "{field}: {attempted} refused below {max}");
                }
                Err(_) => {}
            }
        }
    }

    /// A refused amount really is over its bound: a line within every bound is never refused for
    /// its amount, whatever the order held before.
    #[test]
    fn a_line_within_the_bounds_on_an_order_within_them_is_accepted(
        units in 1..=10u32,
        price in 0..=MAX_UNIT_PRICE.as_kopecks(),
    ) {
        given::<WorkOrder>(vec![opened(), accepted()]).when(add_parts(1, units, Money::kopecks(price))).events();
    }

    /// `checked_add`/`checked_sub` agree with exact arithmetic; `+` and `-` are it, clamped.
    #[test]
    fn money_arithmetic_is_exact_or_says_it_is_not(a in any::<i64>(), b in any::<i64>()) {
        let exact_sum = i128::from(a) + i128::from(b);
        let exact_difference = i128::from(a) - i128::from(b);
        let (a, b) = (Money::kopecks(a), Money::kopecks(b));
        prop_assert_eq!(a.checked_add(b).map(|m| i128::from(m.as_kopecks())), i64::try_from(exact_sum).ok().map(i128::from));
        prop_assert_eq!(a.checked_sub(b).map(|m| i128::from(m.as_kopecks())), i64::try_from(exact_difference).ok().map(i128::from));
        let clamp = |x: i128| x.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
        prop_assert_eq!(i128::from((a + b).as_kopecks()), clamp(exact_sum));
        prop_assert_eq!(i128::from((a - b).as_kopecks()), clamp(exact_difference));
    }
}
