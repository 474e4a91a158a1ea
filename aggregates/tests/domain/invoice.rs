//! Invoices: issued from a completed order, partial payments, refunds, void.

use aggregates::contact::Inn;
use aggregates::ids::{ClientId, InvoiceId, PaymentId, RefundId};
use aggregates::invoice::{Invoice, InvoiceCommand as C, InvoiceEvent as E, InvoiceStatus, Payer};
use aggregates::money::Money;
use aggregates::work_order::{WorkOrder, WorkOrderEvent};
use aggregates::{DomainError, Versioned};

use crate::work_order::{completed_history, opened};
use crate::{at, given, id};

fn basis() -> aggregates::work_order::InvoiceBasis {
    Versioned::<WorkOrder>::from_events(&completed_history())
        .state
        .invoice_basis()
        .unwrap()
}

fn issued() -> E {
    E::InvoiceIssued {
        invoice_id: InvoiceId(id(30)),
        number: "СЧ-000001".into(),
        basis: basis(),
        payer: Payer::Client {
            client_id: ClientId(id(2)),
        },
        amount: None,
        at: at(95),
    }
}

fn paid(n: u128, kopecks: i64) -> E {
    E::PaymentRecorded {
        payment_id: PaymentId(id(300 + n)),
        amount: Money::kopecks(kopecks),
        method: "card".into(),
        reference: None,
        at: at(96),
    }
}

fn pay(n: u128, kopecks: i64) -> C {
    C::RecordPayment {
        payment_id: PaymentId(id(300 + n)),
        amount: Money::kopecks(kopecks),
        method: "card".into(),
        reference: None,
        at: at(96),
    }
}

fn refund(n: u128, kopecks: i64) -> C {
    C::RecordRefund {
        refund_id: RefundId(id(400 + n)),
        amount: Money::kopecks(kopecks),
        method: "cash".into(),
        reason: "Возврат за незаменённую деталь".into(),
        at: at(97),
    }
}

fn invoice(events: &[E]) -> Invoice {
    Versioned::<Invoice>::from_events(events).state
}

#[test]
fn an_invoice_freezes_the_completed_orders_lines() {
    given::<Invoice>(vec![])
        .when(C::Issue {
            invoice_id: InvoiceId(id(30)),
            number: "СЧ-000001".into(),
            basis: basis(),
            payer: Payer::Client {
                client_id: ClientId(id(2)),
            },
            amount: None,
            at: at(95),
        })
        .then(vec![issued()]);
    let state = invoice(&[issued()]);
    assert_eq!(state.total(), basis().totals.total);
    assert_eq!(state.status(), InvoiceStatus::Unpaid);

    // Tampered figures are refused.
    let mut tampered = basis();
    tampered.totals.total = tampered.totals.total + Money::kopecks(1);
    given::<Invoice>(vec![])
        .when(C::Issue {
            invoice_id: InvoiceId(id(31)),
            number: "СЧ-000002".into(),
            basis: tampered,
            payer: Payer::Insurer {
                legal_name: "АО «Страховая»".into(),
                inn: Inn::parse("7707083893").unwrap(),
                policy_number: "ХХХ 0123456789".into(),
            },
            amount: None,
            at: at(95),
        })
        .then_err("totals_mismatch");
}

#[test]
fn payments_in_parts_and_methods_until_paid_and_never_beyond() {
    let total = basis().totals.total.as_kopecks();
    let first = total / 3;
    let history = vec![issued(), paid(1, first)];
    assert_eq!(invoice(&history).status(), InvoiceStatus::PartiallyPaid);

    let error = given::<Invoice>(history.clone())
        .when(pay(2, total - first + 1))
        .then_err("invoice_overpaid");
    assert_eq!(
        error,
        DomainError::InvoiceOverpaid {
            balance: Money::kopecks(total - first),
            attempted: Money::kopecks(total - first + 1),
        }
    );

    let mut history = history;
    history.extend(
        given::<Invoice>(history.clone())
            .when(pay(2, total - first))
            .events(),
    );
    assert_eq!(invoice(&history).status(), InvoiceStatus::Paid);
    assert_eq!(invoice(&history).balance(), Money::ZERO);
    given::<Invoice>(history.clone())
        .when(pay(3, 1))
        .then_err("invoice_overpaid");
    given::<Invoice>(history)
        .when(pay(2, 1))
        .then_err("already_exists");
}

#[test]
fn refunds_never_exceed_what_was_paid() {
    let history = vec![issued(), paid(1, 10_000), paid(2, 5_000)];
    given::<Invoice>(history.clone())
        .when(refund(1, 15_001))
        .then_err("refund_exceeds_paid");
    let mut history = history;
    history.extend(
        given::<Invoice>(history.clone())
            .when(refund(1, 15_000))
            .events(),
    );
    let state = invoice(&history);
    assert_eq!(state.status(), InvoiceStatus::Refunded);
    assert_eq!(state.net_paid(), Money::ZERO);
    given::<Invoice>(history)
        .when(refund(2, 1))
        .then_err("refund_exceeds_paid");
    given::<Invoice>(vec![issued()])
        .when(refund(3, 1))
        .then_err("refund_exceeds_paid");
    given::<Invoice>(vec![issued()])
        .when(pay(4, 0))
        .then_err("amount_not_positive");
}

#[test]
fn void_only_while_nothing_is_paid() {
    let void = C::Void {
        reason: "Выставлен не тому плательщику".into(),
        at: at(98),
    };
    given::<Invoice>(vec![issued(), paid(1, 100)])
        .when(void.clone())
        .then_err("invoice_has_payments");
    let voided = given::<Invoice>(vec![issued()]).when(void.clone()).events();
    let mut history = vec![issued()];
    history.extend(voided);
    assert_eq!(invoice(&history).status(), InvoiceStatus::Void);
    assert_eq!(
        invoice(&history).balance(),
        Money::ZERO,
        "a voided invoice owes nothing"
    );
    given::<Invoice>(history.clone())
        .when(pay(1, 100))
        .then_err("invoice_void");
    given::<Invoice>(history)
        .when(void)
        .then_err("invoice_void");
}

#[test]
fn an_unfinished_order_has_no_invoice() {
    let order =
        Versioned::<WorkOrder>::from_events(&[opened(), WorkOrderEvent::WorkStarted { at: at(1) }]);
    assert_eq!(
        order.state.invoice_basis().unwrap_err().code(),
        "work_order_not_completed"
    );
}

/// Several payers: each invoice asks for its part of the order, above zero and within the total;
/// its balance, status and VAT follow the part.
#[test]
fn an_invoice_for_a_part_of_the_order_asks_for_that_part() {
    let order = basis();
    let total = order.totals.total;
    let part = |amount: i64| C::Issue {
        invoice_id: InvoiceId(id(32)),
        number: "СЧ-000003".into(),
        basis: basis(),
        payer: Payer::Client {
            client_id: ClientId(id(2)),
        },
        amount: Some(Money::kopecks(amount)),
        at: at(95),
    };
    given::<Invoice>(vec![])
        .when(part(total.as_kopecks() + 1))
        .then_err("invoice_exceeds_order");
    given::<Invoice>(vec![])
        .when(part(0))
        .then_err("amount_not_positive");

    let third = total.as_kopecks() / 3;
    let (events, state) = Versioned::<Invoice>::default()
        .execute(part(third))
        .unwrap();
    assert!(matches!(
        &events[..],
        [E::InvoiceIssued { amount: Some(a), .. }] if a.as_kopecks() == third
    ));
    assert_eq!(state.state.total(), Money::kopecks(third));
    assert_eq!(state.state.balance(), Money::kopecks(third));
    // Its VAT is its share of the order's, rounded once.
    let vat = order.totals.vat.as_kopecks();
    let share = state.state.vat().as_kopecks();
    assert!((share * 3 - vat).abs() <= 3, "{share} of {vat}");
    let paid_in_full = state.apply(&paid(1, third));
    assert_eq!(paid_in_full.state.status(), InvoiceStatus::Paid);
}
