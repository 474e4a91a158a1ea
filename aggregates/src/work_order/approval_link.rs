//! The client's approval link (ссылка на согласование): the advisor sends it, the client opens it on
//! their phone, approves or declines each line and confirms once.
//!
//! The link is a capability: whoever holds its token may answer for this order, so the order keeps
//! only the token's hash (the token itself exists in the advisor's answer and the client's message).
//! It is bound to the **revision** of the estimate, a hash of exactly what the client is shown (the
//! lines, their prices and the totals): as soon as that changes, every live link is voided in the
//! same decision and a new one must be sent. It expires, the advisor may revoke it, and it answers
//! once. The answer's event keeps the evidence: when, from which address and browser, the revision
//! and the lines as shown. The lines' decisions are the same `LineApproved`/`LineDeclined` events as
//! at the desk, with the link as their channel.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{
    required_text, ApprovalChannel, ApprovalRecord, InvoiceLine, LineDecision, Totals, WorkOrder,
    WorkOrderEvent,
};
use crate::ids::{ApprovalLinkId, EmployeeId, LineId};
use crate::{Aggregate, DomainError};

/// The estimate as the client sees it on the link's page; its hash is the revision a link is bound
/// to, and the answer's evidence keeps it whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownEstimate {
    /// The lines with their prices, as an invoice would show them.
    pub lines: Vec<InvoiceLine>,
    /// The totals.
    pub totals: Totals,
}

impl ShownEstimate {
    /// The revision: SHA-256 of the estimate's stored form, in hex. Anything the client would see
    /// change (a line, a price, a discount, the total) changes it; an approval taken at the desk
    /// does not, since the lines and prices stay what they were.
    pub fn revision(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex(&Sha256::digest(bytes))
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// It may be opened and answered (until it expires).
    Live,
    /// The advisor withdrew it.
    Revoked,
    /// The estimate changed after it was sent.
    Voided,
    /// The client answered through it.
    Answered,
}

/// A line's decision as the client gave it through a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkDecision {
    /// The line.
    pub line_id: LineId,
    /// Approved or declined.
    pub decision: LineDecision,
}

/// The client's answer through a link: the evidence the advisor's card shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkAnswer {
    /// The name the client gave.
    pub by: String,
    /// Their address.
    pub address: String,
    /// Their browser.
    pub user_agent: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What they decided, line by line.
    pub decisions: Vec<LinkDecision>,
}

/// A link the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalLink {
    /// Its id.
    pub link_id: ApprovalLinkId,
    /// SHA-256 of the token's secret, in hex: the token itself is never stored.
    pub token_hash: String,
    /// The estimate's revision it was sent for.
    pub revision: String,
    /// Who sent it: the client answers through the capability they gave.
    pub issued_by: EmployeeId,
    /// When it was sent.
    pub issued_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When the client first opened it.
    pub opened_at: Option<DateTime<Utc>>,
    /// Where it stands.
    pub state: LinkState,
    /// The client's answer, once given.
    pub answer: Option<LinkAnswer>,
}

/// How long a link may live at most, whatever the settings say: a capability should not outlive
/// the visit it is for.
pub const MAX_LINK_DAYS: i64 = 30;

impl WorkOrder {
    /// The estimate as the client sees it now.
    pub fn shown_estimate(&self) -> ShownEstimate {
        ShownEstimate {
            lines: self.shown_lines(),
            totals: self.totals(),
        }
    }

    /// The link whose token hashes to `token_hash`, if it may be used at `at`.
    pub fn usable_link(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<&ApprovalLink, DomainError> {
        // Compared in full and in constant time: the hash is not secret, but there is no reason to
        // tell a prober how much of one they guessed.
        let link = self
            .approval_links
            .iter()
            .find(|link| same(&link.token_hash, token_hash))
            .ok_or(DomainError::ApprovalLinkNotFound)?;
        match link.state {
            LinkState::Live => {}
            LinkState::Revoked => return Err(DomainError::ApprovalLinkRevoked),
            LinkState::Voided => return Err(DomainError::ApprovalLinkStale),
            LinkState::Answered => return Err(DomainError::ApprovalLinkUsed),
        }
        if at >= link.expires_at {
            return Err(DomainError::ApprovalLinkExpired {
                expired_at: link.expires_at,
            });
        }
        self.ensure_lines_editable()?;
        Ok(link)
    }

    pub(super) fn decide_issue_link(
        &self,
        link_id: ApprovalLinkId,
        token_hash: String,
        expires_at: DateTime<Utc>,
        by: EmployeeId,
        at: DateTime<Utc>,
    ) -> Result<Vec<WorkOrderEvent>, DomainError> {
        self.ensure_lines_editable()?;
        if self.pending_lines() == 0 {
            return Err(DomainError::NothingToApprove);
        }
        if self.approval_links.iter().any(|l| l.link_id == link_id) {
            return Err(DomainError::AlreadyExists {
                what: "approval link",
            });
        }
        if token_hash.len() != 64 || !token_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DomainError::Required {
                field: "token_hash",
            });
        }
        if expires_at <= at || expires_at > at + chrono::Duration::days(MAX_LINK_DAYS) {
            return Err(DomainError::InvalidLinkLifetime {
                max_days: MAX_LINK_DAYS,
            });
        }
        Ok(vec![WorkOrderEvent::ApprovalLinkIssued {
            link_id,
            token_hash,
            revision: self.shown_estimate().revision(),
            expires_at,
            by,
            at,
        }])
    }

    pub(super) fn decide_revoke_link(
        &self,
        link_id: ApprovalLinkId,
        by: EmployeeId,
        at: DateTime<Utc>,
    ) -> Result<Vec<WorkOrderEvent>, DomainError> {
        let link = self
            .approval_links
            .iter()
            .find(|l| l.link_id == link_id)
            .ok_or(DomainError::NotFound {
                what: "approval link",
            })?;
        match link.state {
            LinkState::Live => Ok(vec![WorkOrderEvent::ApprovalLinkRevoked {
                link_id,
                by,
                at,
            }]),
            // Revoking what is already dead changes nothing.
            _ => Ok(vec![]),
        }
    }

    pub(super) fn decide_open_link(
        &self,
        token_hash: &str,
        address: String,
        user_agent: String,
        at: DateTime<Utc>,
    ) -> Result<Vec<WorkOrderEvent>, DomainError> {
        let link = self.usable_link(token_hash, at)?;
        // The first opening is the advisor's news ("the client has seen it"); later ones add nothing
        // and would let anyone holding the link grow the log.
        if link.opened_at.is_some() {
            return Ok(vec![]);
        }
        Ok(vec![WorkOrderEvent::ApprovalLinkOpened {
            link_id: link.link_id,
            address: evidence(address, "address", 100)?,
            user_agent: evidence(user_agent, "user_agent", 1000)?,
            at,
        }])
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn decide_answer_link(
        &self,
        token_hash: &str,
        revision: &str,
        decisions: Vec<(LineId, LineDecision)>,
        by: String,
        address: String,
        user_agent: String,
        at: DateTime<Utc>,
    ) -> Result<Vec<WorkOrderEvent>, DomainError> {
        let link = self.usable_link(token_hash, at)?;
        let shown = self.shown_estimate();
        // The page answers for what it showed: a revision other than the link's (an old tab, a
        // forged body) is refused, and the link's own revision is the order's (else it was voided).
        if revision != link.revision || shown.revision() != link.revision {
            return Err(DomainError::ApprovalLinkStale);
        }
        // The client answers every line still waiting; lines already decided at the desk may be
        // decided again (the domain's own rules for declining apply).
        let pending = self
            .labour
            .iter()
            .filter(|l| l.approval == super::Approval::Pending)
            .map(|l| l.line_id)
            .chain(
                self.parts
                    .iter()
                    .filter(|l| l.approval == super::Approval::Pending)
                    .map(|l| l.line_id),
            );
        for line_id in pending {
            if !decisions.iter().any(|(decided, _)| *decided == line_id) {
                return Err(DomainError::DecisionMissing { line_id });
            }
        }
        let address = evidence(address, "address", 100)?;
        let user_agent = evidence(user_agent, "user_agent", 1000)?;
        let by = required_text(&by, "by", 300)?;
        let answered = WorkOrderEvent::ApprovalLinkAnswered {
            link_id: link.link_id,
            revision: link.revision.clone(),
            estimate: shown,
            decisions: decisions
                .iter()
                .map(|&(line_id, decision)| LinkDecision { line_id, decision })
                .collect(),
            by: by.clone(),
            address: address.clone(),
            user_agent: user_agent.clone(),
            at,
        };
        let after = self.clone().evolve(&answered);
        let record = ApprovalRecord {
            by,
            channel: ApprovalChannel::Link {
                address,
                user_agent,
            },
            at,
        };
        let mut events = vec![answered];
        events.extend(after.decide_approval(decisions, record)?);
        Ok(events)
    }

    /// The events of a decision, with every live link whose estimate they change voided after them.
    pub(super) fn with_stale_links_voided(
        &self,
        mut events: Vec<WorkOrderEvent>,
    ) -> Vec<WorkOrderEvent> {
        if events.is_empty()
            || !self
                .approval_links
                .iter()
                .any(|l| l.state == LinkState::Live)
        {
            return events;
        }
        let after = events.iter().fold(self.clone(), |state, e| state.evolve(e));
        let live: Vec<&ApprovalLink> = after
            .approval_links
            .iter()
            .filter(|l| l.state == LinkState::Live)
            .collect();
        if live.is_empty() {
            return events;
        }
        let revision = after.shown_estimate().revision();
        events.extend(
            live.into_iter()
                .filter(|link| link.revision != revision)
                .map(|link| WorkOrderEvent::ApprovalLinkVoided {
                    link_id: link.link_id,
                }),
        );
        events
    }

    pub(super) fn evolve_link(&mut self, event: &WorkOrderEvent) {
        let mut set = |link_id: ApprovalLinkId, change: &dyn Fn(&mut ApprovalLink)| {
            if let Some(link) = self
                .approval_links
                .iter_mut()
                .find(|l| l.link_id == link_id)
            {
                change(link);
            }
        };
        match event {
            WorkOrderEvent::ApprovalLinkIssued {
                link_id,
                token_hash,
                revision,
                expires_at,
                by,
                at,
            } => self.approval_links.push(ApprovalLink {
                link_id: *link_id,
                token_hash: token_hash.clone(),
                revision: revision.clone(),
                issued_by: *by,
                issued_at: *at,
                expires_at: *expires_at,
                opened_at: None,
                state: LinkState::Live,
                answer: None,
            }),
            WorkOrderEvent::ApprovalLinkOpened { link_id, at, .. } => {
                set(*link_id, &|link| link.opened_at = Some(*at))
            }
            WorkOrderEvent::ApprovalLinkRevoked { link_id, .. } => {
                set(*link_id, &|link| link.state = LinkState::Revoked)
            }
            WorkOrderEvent::ApprovalLinkVoided { link_id } => {
                set(*link_id, &|link| link.state = LinkState::Voided)
            }
            WorkOrderEvent::ApprovalLinkAnswered {
                link_id,
                decisions,
                by,
                address,
                user_agent,
                at,
                ..
            } => set(*link_id, &|link| {
                link.state = LinkState::Answered;
                link.answer = Some(LinkAnswer {
                    by: by.clone(),
                    address: address.clone(),
                    user_agent: user_agent.clone(),
                    at: *at,
                    decisions: decisions.clone(),
                });
            }),
            _ => {}
        }
    }
}

/// The client's address or browser as the server saw them: an empty one is recorded as unknown
/// rather than refused (a browser may send no User-Agent), and an overlong one is cut, since the
/// client cannot be asked to fix it.
fn evidence(value: String, field: &'static str, max: usize) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok("неизвестно".into());
    }
    let cut: String = value.chars().take(max).collect();
    required_text(&cut, field, max)
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
