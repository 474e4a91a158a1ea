//! The client's approval link: sent for the estimate as it stands, opened, answered once; refused
//! when expired, revoked, answered, or outdated by any change the client would see.

use aggregates::ids::ApprovalLinkId;
use aggregates::money::{Money, NormHours, Percent};
use aggregates::work_order::{
    Approval, ApprovalChannel, LineDecision, LinkDecision, LinkState, WorkOrder,
    WorkOrderCommand as C, WorkOrderEvent as E,
};
use aggregates::{Aggregate, Versioned};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use crate::work_order::{accepted, advisor, in_person, labour, line, opened, parts};
use crate::{at, given, id};

const HASH: &str = "5b7f0bd6a0f4c8b8e9f0d1c2b3a4958677685a4b3c2d1e0f9a8b7c6d5e4f3a2b";
const OTHER_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn link() -> ApprovalLinkId {
    ApprovalLinkId(id(900))
}

fn expires() -> DateTime<Utc> {
    at(10) + Duration::hours(72)
}

/// An accepted car with a labour line and a parts line, both waiting.
fn estimate() -> Vec<E> {
    vec![opened(), accepted(), labour(1, 15), parts(2, 2)]
}

fn state(events: &[E]) -> WorkOrder {
    Versioned::<WorkOrder>::from_events(events).state
}

fn issue() -> C {
    C::IssueApprovalLink {
        link_id: link(),
        token_hash: HASH.into(),
        expires_at: expires(),
        by: advisor(),
        at: at(10),
    }
}

/// The estimate with a link sent for it.
fn sent() -> Vec<E> {
    let mut history = estimate();
    history.extend(given::<WorkOrder>(estimate()).when(issue()).events());
    history
}

fn answer(decisions: &[(u128, LineDecision)], revision: &str, minute: u32) -> C {
    C::AnswerApprovalLink {
        token_hash: HASH.into(),
        revision: revision.into(),
        decisions: decisions.iter().map(|(n, d)| (line(*n), *d)).collect(),
        by: "Петров Иван".into(),
        address: "203.0.113.7".into(),
        user_agent: "Mozilla/5.0 (iPhone)".into(),
        at: at(minute),
    }
}

fn revision(events: &[E]) -> String {
    state(events).shown_estimate().revision()
}

#[test]
fn a_link_is_bound_to_the_estimate_as_the_client_sees_it() {
    let events = given::<WorkOrder>(estimate()).when(issue()).events();
    let [E::ApprovalLinkIssued {
        revision: bound, ..
    }] = events.as_slice()
    else {
        panic!("one ApprovalLinkIssued expected: {events:?}");
    };
    assert_eq!(*bound, revision(&estimate()));
    assert_eq!(bound.len(), 64, "a SHA-256 in hex");
}

#[test]
fn a_link_needs_a_line_waiting_and_a_lifetime_within_bounds() {
    given::<WorkOrder>(vec![opened(), accepted()])
        .when(issue())
        .then_err("nothing_to_approve");
    let too_long = C::IssueApprovalLink {
        link_id: link(),
        token_hash: HASH.into(),
        expires_at: at(10) + Duration::days(31),
        by: advisor(),
        at: at(10),
    };
    given::<WorkOrder>(estimate())
        .when(too_long)
        .then_err("invalid_link_lifetime");
    given::<WorkOrder>(sent())
        .when(issue())
        .then_err("already_exists");
}

#[test]
fn the_first_opening_is_recorded_and_later_ones_add_nothing() {
    let open = |minute| C::OpenApprovalLink {
        token_hash: HASH.into(),
        address: "203.0.113.7".into(),
        user_agent: "Mozilla/5.0 (iPhone)".into(),
        at: at(minute),
    };
    let first = given::<WorkOrder>(sent()).when(open(20)).events();
    assert!(
        matches!(first.as_slice(), [E::ApprovalLinkOpened { at: when, .. }] if *when == at(20))
    );
    let mut history = sent();
    history.extend(first);
    given::<WorkOrder>(history).when(open(30)).then(vec![]);
}

#[test]
fn the_client_answers_every_waiting_line_once_with_the_evidence() {
    let rev = revision(&sent());
    let events = given::<WorkOrder>(sent())
        .when(answer(
            &[(1, LineDecision::Approve), (2, LineDecision::Decline)],
            &rev,
            30,
        ))
        .events();
    let E::ApprovalLinkAnswered {
        revision: answered,
        estimate,
        decisions,
        address,
        ..
    } = &events[0]
    else {
        panic!("the evidence comes first: {events:?}");
    };
    assert_eq!(*answered, rev);
    assert_eq!(estimate.lines.len(), 2, "the lines as shown");
    assert_eq!(
        decisions,
        &vec![
            LinkDecision {
                line_id: line(1),
                decision: LineDecision::Approve
            },
            LinkDecision {
                line_id: line(2),
                decision: LineDecision::Decline
            }
        ]
    );
    assert_eq!(address, "203.0.113.7");
    let mut history = sent();
    history.extend(events.clone());
    let after = state(&history);
    let Approval::Approved { record } = &after.labour[0].approval else {
        panic!("line 1 approved");
    };
    assert!(matches!(record.channel, ApprovalChannel::Link { .. }));
    assert!(after.parts.is_empty(), "the declined line left the order");
    assert_eq!(after.approval_links[0].state, LinkState::Answered);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, E::EstimateApproved { .. })),
        "every line decided: the estimate stands approved"
    );
    // Once.
    given::<WorkOrder>(history)
        .when(answer(&[(1, LineDecision::Approve)], &rev, 31))
        .then_err("approval_link_used");
}

#[test]
fn an_answer_must_decide_every_waiting_line() {
    let rev = revision(&sent());
    given::<WorkOrder>(sent())
        .when(answer(&[(1, LineDecision::Approve)], &rev, 30))
        .then_err("decision_missing");
}

#[test]
fn a_link_is_refused_when_expired_revoked_tampered_or_of_another_revision() {
    let rev = revision(&sent());
    let both = [(1, LineDecision::Approve), (2, LineDecision::Approve)];
    let expired_at = 10 + 72 * 60;
    given::<WorkOrder>(sent())
        .when(answer(&both, &rev, expired_at))
        .then_err("approval_link_expired");
    given::<WorkOrder>(sent())
        .when(answer(&both, &rev, expired_at - 1))
        .events();

    given::<WorkOrder>(sent())
        .when(C::AnswerApprovalLink {
            token_hash: OTHER_HASH.into(),
            revision: rev.clone(),
            decisions: vec![],
            by: "x".into(),
            address: "a".into(),
            user_agent: "b".into(),
            at: at(30),
        })
        .then_err("approval_link_not_found");

    given::<WorkOrder>(sent())
        .when(answer(&both, "0".repeat(64).as_str(), 30))
        .then_err("approval_link_stale");

    let mut revoked = sent();
    revoked.extend(
        given::<WorkOrder>(sent())
            .when(C::RevokeApprovalLink {
                link_id: link(),
                by: advisor(),
                at: at(20),
            })
            .events(),
    );
    given::<WorkOrder>(revoked)
        .when(answer(&both, &rev, 30))
        .then_err("approval_link_revoked");
}

#[test]
fn a_change_the_client_would_see_voids_every_live_link_in_the_same_decision() {
    let changed = given::<WorkOrder>(sent())
        .when(C::ChangeLabourLine {
            line_id: line(1),
            norm_hours: NormHours::from_tenths(20).unwrap(),
            rate: None,
            discount: Percent::ZERO,
        })
        .events();
    assert!(
        matches!(changed.last(), Some(E::ApprovalLinkVoided { link_id }) if *link_id == link())
    );
    let mut history = sent();
    history.extend(changed);
    let rev = revision(&history);
    given::<WorkOrder>(history)
        .when(answer(
            &[(1, LineDecision::Approve), (2, LineDecision::Approve)],
            &rev,
            30,
        ))
        .then_err("approval_link_stale");
}

#[test]
fn an_approval_at_the_desk_keeps_the_link_and_the_client_answers_what_waits() {
    let desk = given::<WorkOrder>(sent())
        .when(C::RecordApproval {
            decisions: vec![(line(1), LineDecision::Approve)],
            record: in_person(),
        })
        .events();
    assert!(
        !desk
            .iter()
            .any(|e| matches!(e, E::ApprovalLinkVoided { .. })),
        "the lines and prices did not change: {desk:?}"
    );
    let mut history = sent();
    history.extend(desk);
    let rev = revision(&history);
    given::<WorkOrder>(history)
        .when(answer(&[(2, LineDecision::Approve)], &rev, 30))
        .events();
}

proptest! {
    /// Whatever is changed, added or removed, a live link never survives a change of what its
    /// client would be shown, and survives every command that changes none of it.
    #[test]
    fn a_live_link_lives_exactly_as_long_as_its_revision(
        tenths in 1u32..500,
        price in 1i64..10_000_000,
        add in any::<bool>(),
        remove in any::<bool>(),
    ) {
        let mut history = sent();
        let commands = [
            C::ChangeLabourLine {
                line_id: line(1),
                norm_hours: NormHours::from_tenths(tenths).unwrap(),
                rate: None,
                discount: Percent::ZERO,
            },
            C::ChangePartsLine {
                line_id: line(2),
                quantity: aggregates::money::Quantity::units(2).unwrap(),
                unit_price: Money::kopecks(price),
                discount: Percent::ZERO,
            },
        ];
        let mut all: Vec<C> = commands.into_iter().collect();
        if add {
            all.push(C::AddLabourLine {
                line_id: line(3),
                service: aggregates::work_order::LabourService::FreeText { name: "Диагностика".into() },
                norm_hours: NormHours::from_tenths(5).unwrap(),
                rate: Money::roubles(2_500),
                discount: Percent::ZERO,
                mechanic: None,
            });
        }
        if remove {
            all.push(C::RemoveLine { line_id: line(2) });
        }
        // Once voided, a link stays dead even if a later change restores the old figures.
        let mut changed_ever = false;
        for command in all {
            let before = state(&history);
            let Ok(events) = before.decide(command) else { continue };
            history.extend(events);
            let after = state(&history);
            let bound = &after.approval_links[0];
            changed_ever |= after.shown_estimate().revision() != bound.revision;
            prop_assert_eq!(bound.state == LinkState::Live, !changed_ever);
        }
    }
}
