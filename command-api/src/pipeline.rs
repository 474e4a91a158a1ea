//! One path for every command: authenticate → read the request → build the domain command →
//! check the exact permission → (Idempotency-Key) → load the aggregate (snapshot + tail) → decide →
//! append at the loaded version → answer with the new version, the event ids and the log position.
//!
//! Nothing is appended on any error. Without `If-Match`, a lost race for the version is retried a
//! few times against the fresh state, then answered 409; with `If-Match`, a mismatch is 412.
//!
//! A command is first decided on what this instance remembers (the caller's staff record and
//! roles, the aggregate, the records it names: [`crate::recent`]) and appended with those copies
//! as premises, so a command costs one round trip to the log: the append. Only an append the log
//! accepted is answered so; anything else (a refusal, a lost race, a moved premise, nothing to
//! write) is decided again on the log as it is now, so every answer but "accepted" is the log's.
//!
//! Rules that span streams (a VIN registered once, an order invoiced at most in full, a car's mileage
//! never below its last reading) cannot be decided from one stream: an endpoint checks them before
//! deciding, for a clear answer, and [`Endpoint::reserve`] writes their reservation rows in the same
//! transaction as the events, so of two racing commands the second waits for the first and is
//! refused, and its events roll back with it. An erasure of personal data destroys the subject's
//! data key the same way, so the event and the destroyed key commit together or not at all.

use std::future::Future;

use aggregates::ids::EmployeeId;
use aggregates::permission::Permission;
use aggregates::personal::stream_has_personal_data;
use aggregates::{Aggregate, DomainEvent, Versioned};
use auth::access::Principal;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use event_store::{
    Companion, EventStore, EventStoreError, ExpectedVersion, Metadata, NewEvent, Premise, Snapshot,
    StreamId,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use tracing::Instrument;
use uuid::Uuid;

use crate::recent::Recent;
use crate::ApiError;

/// Attempts of a command without `If-Match` when concurrent writers keep winning.
pub const MAX_ATTEMPTS: usize = 3;
/// A snapshot is saved each time a stream passes a multiple of this many events (never for a
/// stream with personal data).
pub const SNAPSHOT_EVERY: u64 = 100;
/// The shape version of saved states; raising it makes every older snapshot ignored.
pub const SNAPSHOT_SCHEMA: u32 = 1;

/// What the endpoints need: the log, the database and the shop.
pub struct Services {
    /// The event log.
    pub store: EventStore,
    /// The database (counters, idempotency).
    pub pool: PgPool,
    /// The shop whose settings and staff streams commands use.
    pub shop: String,
    /// Aggregates as this instance last saw them.
    pub recent: Recent,
    /// The photos' and scans' storage, when configured (`S3_ENDPOINT`).
    pub files: Option<file_store::FileStore>,
    /// Where clients open the shop's pages (`MOTORLOG_PUBLIC_URL`, e.g. `https://service.example`):
    /// the approval link a message carries. None: links are given to staff, never sent.
    pub public_url: Option<String>,
}

/// What a request's command is built with.
pub struct Context<'a> {
    /// The log, the database, the shop.
    pub services: &'a Services,
    /// The stream id from the path.
    pub id: &'a str,
    /// Who sends the command.
    pub actor: EmployeeId,
    /// The server's time of the request.
    pub now: DateTime<Utc>,
    /// The sender and what their roles allow now: a few rules widen with a permission (a
    /// backorder), and a few commands need a second one in some cases (`Principal::require`:
    /// acting for another mechanic, opening an order on a booked car's arrival).
    pub principal: &'a Principal,
    /// The remembered copies this decision rests on, while it may still use any: `None` when it
    /// reads the log only, or once they went into the append.
    premises: std::sync::Mutex<Option<Vec<Premise>>>,
    /// What the answer carries besides the acceptance, made while building the command (an
    /// approval link's token): given to the caller once, never stored with an idempotency record.
    reply: std::sync::Mutex<Option<Value>>,
    /// The approval link's token when the caller asked to send it to the client (`notify`): what
    /// the step after the decision puts in the message, kept typed beside the answer.
    link_to_send: std::sync::Mutex<Option<String>>,
}

impl<'a> Context<'a> {
    /// A context whose decision reads the log only (no remembered copies).
    pub fn new(
        services: &'a Services,
        id: &'a str,
        principal: &'a Principal,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            services,
            id,
            actor: EmployeeId(principal.employee_id),
            now,
            principal,
            premises: std::sync::Mutex::new(None),
            reply: std::sync::Mutex::new(None),
            link_to_send: std::sync::Mutex::new(None),
        }
    }

    /// The same context whose decision may rest on remembered copies, given the caller's
    /// `premises` (those of their permissions); `None` leaves it reading the log only.
    fn remembering(self, premises: Option<Vec<Premise>>) -> Self {
        Self {
            premises: std::sync::Mutex::new(premises),
            ..self
        }
    }

    /// Sets what the accepted answer carries besides the acceptance (see [`Accepted::reply`]).
    pub fn reply(&self, value: Value) {
        *self
            .reply
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(value);
    }

    /// Asks for the approval link with this token to be sent to the client once it is issued.
    pub fn send_link(&self, token: String) {
        *self
            .link_to_send
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(token);
    }

    /// The token of the approval link to send, when the caller asked for it.
    pub fn link_to_send(&self) -> Option<String> {
        self.link_to_send
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// What the answer carries so far, for the command's later steps to add to.
    pub fn replied(&self) -> Option<Value> {
        self.reply
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn take_reply(&self) -> Option<Value> {
        self.reply
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    /// The state of another aggregate, for rules that span records: this instance's copy while
    /// the decision may rest on one (the append then proves it current), else the log's.
    pub async fn load<A: Endpoint>(&self, id: &str) -> Result<Versioned<A>, ApiError> {
        let stream = StreamId::new(A::STREAM_TYPE, id);
        if let Some(premises) = self.premises().as_mut() {
            if let Some(copy) = self.services.recent.get::<A>(&stream) {
                premises.push(Premise {
                    stream,
                    version: copy.version,
                });
                return Ok(copy);
            }
        }
        load::<A>(self.services, &stream).await
    }

    fn premises(&self) -> std::sync::MutexGuard<'_, Option<Vec<Premise>>> {
        // Pushes and takes are single calls: a panic elsewhere leaves the list whole.
        self.premises
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The premises gathered so far, for the append; later loads (a reservation's, inside the
    /// append's transaction) read the log.
    fn take_premises(&self) -> Vec<Premise> {
        self.premises().take().unwrap_or_default()
    }

    /// Whether this decision may rest on remembered copies.
    fn remembers(&self) -> bool {
        self.premises().is_some()
    }

    /// The next number of a document series in a period (`work_order`, `2026`).
    pub async fn next_number(&self, series: &str, period: &str) -> Result<u64, ApiError> {
        let value = sqlx::query_scalar!(
            "INSERT INTO command_api.counters (name, period, value) VALUES ($1, $2, 1)
             ON CONFLICT (name, period) DO UPDATE SET value = command_api.counters.value + 1
             RETURNING value",
            series,
            period,
        )
        .fetch_one(&self.services.pool)
        .await?;
        u64::try_from(value).map_err(|_| ApiError::Internal("negative counter".into()))
    }
}

/// An aggregate the API accepts commands for.
pub trait Endpoint: Aggregate + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The request bodies, tagged by the command name from the path.
    type Request: DeserializeOwned + Send;

    /// The canonical stream id from the path segment.
    fn parse_id(raw: &str) -> Result<String, ApiError>;

    /// The permission a request needs, checked before anything is read for it.
    fn request_permission(request: &Self::Request) -> Permission;

    /// The domain command a request asks for (may read other aggregates).
    fn command(
        request: Self::Request,
        context: &Context<'_>,
    ) -> impl Future<Output = Result<Self::Command, ApiError>> + Send;

    /// The permission the domain says the command needs; checked too, so both must allow it.
    fn permission(command: &Self::Command) -> Permission;

    /// What [`reserve`](Self::reserve) needs read before the append's transaction opens (`()` for
    /// most): a transaction that waited for a second connection of the pool while holding one could
    /// starve the pool under load, so whatever takes more than a read or two is read by
    /// [`prepare`](Self::prepare) and handed over in [`FollowOn::prepared`].
    type Prepared: Default + Send + Sync;

    /// Reads what the reservations need, after the decision and before the transaction; called
    /// only when [`reserves`](Self::reserves) says so, again for each attempt.
    fn prepare(
        _command: &Self::Command,
        _events: &[Self::Event],
        _before: &Self,
        _after: &Self,
        _context: &Context<'_>,
    ) -> impl Future<Output = Result<Self::Prepared, ApiError>> + Send {
        async { Ok(Self::Prepared::default()) }
    }

    /// Whether [`reserve`](Self::reserve) has rows to write for these events; when not, the events
    /// are appended in one statement.
    fn reserves(_events: &[Self::Event]) -> bool {
        false
    }

    /// Writes the reservations that keep a rule across streams race-free, inside the append's
    /// transaction and after the events (the events' insert must be its first write): rows of its
    /// own, or the events of another stream the command moves too ([`follow_on`]). An error rolls
    /// the events back; [`ApiError::Conflict`] from a follow-on stream decides the command again.
    /// `before` is the aggregate the events were decided on, `after` with them applied (what the
    /// command itself asked is in the events, and whatever was read for it in `follow`'s prepared
    /// value).
    fn reserve(
        _events: &[Self::Event],
        _before: &Self,
        _after: &Self,
        _tx: &mut PgConnection,
        _follow: &FollowOn<'_, Self::Prepared>,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        async { Ok(()) }
    }

    /// Work done only once the caller is authorised (allocating a document number), given the
    /// aggregate as just loaded for deciding.
    fn authorised(
        command: Self::Command,
        _current: &Self,
        _context: &Context<'_>,
    ) -> impl Future<Output = Result<Self::Command, ApiError>> + Send {
        async { Ok(command) }
    }
}

/// What a command's follow-on appends are made with: the request's context and the metadata of the
/// command's own events, so every event the command causes carries the same command and actor.
pub struct FollowOn<'a, P = ()> {
    /// The request.
    pub context: &'a Context<'a>,
    /// The command's metadata.
    pub metadata: &'a Metadata,
    /// What [`Endpoint::prepare`] read for the reservations.
    pub prepared: &'a P,
    /// The ids of the command's own events, in order (a follow-on names what caused it).
    pub event_ids: &'a [Uuid],
}

/// Plans commands on the current state of `B`'s stream `id`, decides them in turn and appends what
/// they produce inside `tx`, at the version read: the second record a command moves (the part's
/// stock when an order's line reserves it). Of two commands racing for that stream, the second is
/// refused with [`ApiError::Conflict`] and decided again by the pipeline, on fresh state.
pub async fn follow_on<B: Endpoint, P>(
    tx: &mut PgConnection,
    follow: &FollowOn<'_, P>,
    id: &str,
    plan: impl FnOnce(&B) -> Vec<B::Command>,
) -> Result<(), ApiError> {
    append_follow_on(tx, follow, id, plan, Refused::Fail).await
}

/// [`follow_on`] for a second record that only goes along where it can: a planned command its
/// aggregate refuses is left out and the rest still apply, so the first command stands either way
/// (a line finished on the order stops the mechanic's clock if it is running on it, and leaves a
/// clock that is elsewhere, or has entries of its own after, as it is). Each command is decided
/// once, here, so the plan need not ask the aggregate first.
pub async fn follow_on_where_accepted<B: Endpoint, P>(
    tx: &mut PgConnection,
    follow: &FollowOn<'_, P>,
    id: &str,
    plan: impl FnOnce(&B) -> Vec<B::Command>,
) -> Result<(), ApiError> {
    append_follow_on(tx, follow, id, plan, Refused::Skip).await
}

/// What a follow-on does with a command its aggregate refuses.
#[derive(Clone, Copy)]
enum Refused {
    /// The refusal is the command's: everything rolls back.
    Fail,
    /// The command is left out.
    Skip,
}

/// The one path of [`follow_on`] and [`follow_on_where_accepted`].
async fn append_follow_on<B: Endpoint, P>(
    tx: &mut PgConnection,
    follow: &FollowOn<'_, P>,
    id: &str,
    plan: impl FnOnce(&B) -> Vec<B::Command>,
    refused: Refused,
) -> Result<(), ApiError> {
    let services = follow.context.services;
    let stream = StreamId::new(B::STREAM_TYPE, id);
    let loaded = load::<B>(services, &stream).await?;
    let version = loaded.version;
    let commands = plan(&loaded.state);
    let mut state = loaded;
    let mut events = Vec::new();
    for command in commands {
        let decided = match (state.state.decide(command), refused) {
            (Ok(decided), _) => decided,
            (Err(_), Refused::Skip) => continue,
            (Err(error), Refused::Fail) => return Err(error.into()),
        };
        state = decided.iter().fold(state, Versioned::apply);
        events.extend(decided);
    }
    if events.is_empty() {
        return Ok(());
    }
    append_within(
        tx,
        follow,
        &stream,
        ExpectedVersion::Exact(version),
        &events,
    )
    .await
}

/// Opens `A`'s stream `id` with `events` inside `tx`, as part of the command: "no stream" is
/// expected, so a stream already there (the same cause handled before) is a
/// [`ApiError::Conflict`], decided again by the pipeline.
pub async fn open_stream<A: Aggregate, P>(
    tx: &mut PgConnection,
    follow: &FollowOn<'_, P>,
    id: &str,
    events: &[A::Event],
) -> Result<(), ApiError> {
    let stream = StreamId::new(A::STREAM_TYPE, id);
    append_within(tx, follow, &stream, ExpectedVersion::NoStream, events).await
}

/// Appends a follow-on's events with the command's metadata; a lost race is
/// [`ApiError::Conflict`], so the command is decided again.
async fn append_within<E: DomainEvent, P>(
    tx: &mut PgConnection,
    follow: &FollowOn<'_, P>,
    stream: &StreamId,
    expected: ExpectedVersion,
    events: &[E],
) -> Result<(), ApiError> {
    let to_append = new_events(events, follow.metadata)?;
    match follow
        .context
        .services
        .store
        .append_within(tx, stream, expected, &to_append)
        .await
    {
        Ok(_) => Ok(()),
        Err(EventStoreError::VersionConflict { actual, .. }) => Err(ApiError::Conflict { actual }),
        Err(error) => Err(error.into()),
    }
}

/// A stream id that must be a UUID.
pub fn uuid_id(raw: &str) -> Result<String, ApiError> {
    Uuid::parse_str(raw)
        .map(|id| id.to_string())
        .map_err(|_| ApiError::InvalidId(raw.to_owned()))
}

/// A stream id that must be a code (`main`, `payment_methods`).
pub fn code_id(raw: &str) -> Result<String, ApiError> {
    aggregates::directory::Code::parse(raw)
        .map(|code| code.to_string())
        .map_err(|_| ApiError::InvalidId(raw.to_owned()))
}

/// The state of a stream as the log holds it now: from this instance's copy, else the snapshot
/// if one fits, then the events after it. Remembered for the next command.
pub async fn load<A: Endpoint>(
    services: &Services,
    stream: &StreamId,
) -> Result<Versioned<A>, ApiError> {
    let store = &services.store;
    let remembered = services.recent.get::<A>(stream);
    let from_memory = remembered.is_some();
    let mut state = remembered.unwrap_or_default();
    // Streams with personal data have no snapshots (see `decide_and_append`); one left from before
    // would hold erased data in the clear, so none is read for them.
    let snapshot = if from_memory || stream_has_personal_data(A::STREAM_TYPE) {
        None
    } else {
        store.load_snapshot(stream).await?
    };
    if let Some(snapshot) = snapshot {
        if snapshot.schema_version == SNAPSHOT_SCHEMA {
            match serde_json::from_value(snapshot.state) {
                Ok(saved) => {
                    state = Versioned {
                        version: snapshot.version,
                        state: saved,
                    }
                }
                Err(error) => {
                    tracing::warn!(%stream, %error, "ignoring a snapshot that does not decode")
                }
            }
        }
    }
    for recorded in store.read_stream(stream, state.version).await? {
        let event: A::Event = serde_json::from_value(recorded.payload).map_err(|e| {
            ApiError::Internal(format!(
                "{stream} v{} does not decode: {e}",
                recorded.version
            ))
        })?;
        state = state.apply(&event);
    }
    services.recent.remember(stream, state.clone());
    Ok(state)
}

/// The answer to an accepted command.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Accepted {
    /// `type/id` of the stream.
    pub stream: String,
    /// The stream's version after the command (the `If-Match` of the next one).
    pub version: u64,
    /// The events recorded (none when the command changed nothing).
    pub event_ids: Vec<Uuid>,
    /// Where the last event sits in the log (`transaction:position`): a query may wait for it.
    pub position: Option<String>,
    /// What the command made for the caller alone (`send_approval_link`: `link_id`, `token`,
    /// `expires_at`, `notify`, and with `notify` the `messages`: per channel `notification_id`,
    /// `channel`, `status` `queued` with `due_at` or `skipped` with `reason` and `reason_text`).
    /// Given once: a retry with the same Idempotency-Key answers without it, since the stored
    /// answer must not hold a capability in the clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Value>,
}

/// The request's headers that steer the pipeline.
struct Steering {
    if_match: Option<u64>,
    idempotency_key: Option<String>,
    correlation_id: Uuid,
}

fn steering(headers: &HeaderMap) -> Result<Steering, ApiError> {
    let text = |name: &'static str| -> Result<Option<&str>, ApiError> {
        headers
            .get(name)
            .map(|v| v.to_str().map_err(|_| ApiError::InvalidHeader(name)))
            .transpose()
    };
    let if_match = text("if-match")?
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse::<u64>()
                .map_err(|_| ApiError::InvalidHeader("If-Match"))
        })
        .transpose()?;
    let idempotency_key = text("idempotency-key")?
        .map(|key| {
            let key = key.trim();
            if key.is_empty() || key.len() > 200 {
                Err(ApiError::InvalidHeader("Idempotency-Key"))
            } else {
                Ok(key.to_owned())
            }
        })
        .transpose()?;
    let correlation_id = text("x-correlation-id")?
        .map(|v| Uuid::parse_str(v.trim()).map_err(|_| ApiError::InvalidHeader("X-Correlation-Id")))
        .transpose()?
        .unwrap_or_else(Uuid::now_v7);
    Ok(Steering {
        if_match,
        idempotency_key,
        correlation_id,
    })
}

/// Writes every whole number given with a fraction (`475.0`, `1e3`) as the integer it is: JSON and
/// the OpenAPI document's JSON Schema call it an integer, so a field of an integer type takes it.
/// Numbers with a real fraction, or past the 64-bit range, stay as they are and are refused.
pub(crate) fn integral_numbers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            let Some(float) = number.as_f64() else { return };
            // 2^63 and 2^64 are exact as floats; below them a whole float is an exact integer.
            const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
            if float.fract() != 0.0 || !float.is_finite() {
                return;
            }
            if (-TWO_POW_63..TWO_POW_63).contains(&float) {
                *value = Value::from(float as i64);
            } else if (0.0..2.0 * TWO_POW_63).contains(&float) {
                *value = Value::from(float as u64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Reads the body as the command named in the path (public for the fuzz targets, which read
/// bodies exactly as the API does).
pub fn request<R: DeserializeOwned>(command: &str, body: &[u8]) -> Result<R, ApiError> {
    let mut value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|e| ApiError::InvalidBody(e.to_string()))?
    };
    // One check for every field of every command, before any of them is read.
    if !auth::http::storable(&value) {
        return Err(ApiError::InvalidText);
    }
    integral_numbers(&mut value);
    let Some(object) = value.as_object_mut() else {
        return Err(ApiError::InvalidBody(
            "the body must be a JSON object".into(),
        ));
    };
    if object.contains_key("command") {
        return Err(ApiError::InvalidBody(
            "`command` comes from the path".into(),
        ));
    }
    object.insert("command".into(), Value::String(command.to_owned()));
    serde_json::from_value(value).map_err(|error| {
        let message = error.to_string();
        // Only the command's own name is an unknown command; an unknown value of a field is a
        // malformed body.
        if message.starts_with(&format!("unknown variant `{command}`")) {
            ApiError::UnknownCommand(command.to_owned())
        } else {
            ApiError::InvalidBody(message)
        }
    })
}

fn new_events<E: DomainEvent>(
    events: &[E],
    metadata: &Metadata,
) -> Result<Vec<NewEvent>, ApiError> {
    events
        .iter()
        .map(|event| {
            let payload =
                serde_json::to_value(event).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(NewEvent::new(
                event.event_type(),
                event.schema_version(),
                payload,
                metadata.clone(),
            ))
        })
        .collect()
}

/// A stored answer to an Idempotency-Key, if the same actor used it before.
async fn idempotent_answer(
    pool: &PgPool,
    actor: &str,
    key: &str,
    request_hash: &[u8],
) -> Result<Option<Accepted>, ApiError> {
    let stored = sqlx::query!(
        "SELECT request_hash, response FROM command_api.idempotency WHERE actor = $1 AND key = $2",
        actor,
        key,
    )
    .fetch_optional(pool)
    .await?;
    match stored {
        None => Ok(None),
        Some(row) if row.request_hash == request_hash => serde_json::from_value(row.response)
            .map(Some)
            .map_err(|e| ApiError::Internal(e.to_string())),
        Some(_) => Err(ApiError::IdempotencyKeyReused),
    }
}

/// Runs one command for aggregate `A` on stream `raw_id`.
pub async fn execute<A: Endpoint>(
    services: &Services,
    authorizer: &auth::access::Authorizer,
    headers: &HeaderMap,
    raw_id: &str,
    command_name: &str,
    body: &[u8],
) -> Result<Accepted, ApiError> {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    // The token, the session and the rate are checked once; who the caller is and what they may
    // do belongs to each decision below.
    let claims = authorizer.admit(authorization).await?;
    let steering = steering(headers)?;
    let id = A::parse_id(raw_id)?;
    let stream = StreamId::new(A::STREAM_TYPE, &id);
    let span = tracing::info_span!(
        "command",
        command = command_name,
        %stream,
        correlation_id = %steering.correlation_id,
        actor = %claims.sub,
    );
    async {
        let parsed: A::Request = request(command_name, body)?;
        let request_hash = Sha256::new()
            .chain_update(stream.to_string())
            .chain_update([0])
            .chain_update(command_name)
            .chain_update([0])
            .chain_update(body)
            .finalize()
            .to_vec();
        let command = Incoming {
            services,
            stream: &stream,
            id: &id,
            steering: &steering,
            request_hash: &request_hash,
        };
        // First on what this instance remembers; an employee it has not seen yet is looked up.
        if let Ok((principal, premises)) = authorizer.remembered_principal(&claims).await {
            match command
                .decide::<A>(&principal, Some(premises), parsed)
                .await
            {
                Ok(accepted) if !accepted.event_ids.is_empty() => return Ok(accepted),
                _ => metrics::counter!("motorlog_commands_redecided_total").increment(1),
            }
        }
        // Then on the log as it is now: this answer stands, whatever it is.
        let principal = authorizer.principal(&claims).await?;
        let parsed: A::Request = request(command_name, body)?;
        command.decide::<A>(&principal, None, parsed).await
    }
    .instrument(span)
    .await
}

/// Decides and appends a command no employee sends: the client's answer through an approval link,
/// admitted by its token (a capability) instead of a role. From the decision on it takes the staff
/// commands' path (a fresh load, the version check and its retries, reservations and follow-ons in
/// the same transaction), recorded as `actor`. The follow-ons it causes (a declined part's
/// reservation released) are done in the name of `on_behalf_of`, the employee who gave the
/// capability, and with no permission of anyone's: they can widen nothing.
pub async fn execute_admitted<A: Endpoint>(
    services: &Services,
    id: &str,
    actor: &str,
    on_behalf_of: EmployeeId,
    command: A::Command,
) -> Result<Accepted, ApiError> {
    let stream = StreamId::new(A::STREAM_TYPE, id);
    let steering = Steering {
        if_match: None,
        idempotency_key: None,
        correlation_id: Uuid::now_v7(),
    };
    let principal = Principal {
        employee_id: on_behalf_of.0,
        session_id: Uuid::nil(),
        roles: Default::default(),
        permissions: Default::default(),
    };
    let context = Context::new(services, id, &principal, Utc::now());
    decide_and_append::<A>(&stream, &steering, actor, &[], command, &context).await
}

/// A command as received: what each decision of it shares.
struct Incoming<'a> {
    services: &'a Services,
    stream: &'a StreamId,
    id: &'a str,
    steering: &'a Steering,
    request_hash: &'a [u8],
}

impl Incoming<'_> {
    /// Decides the command for `principal` and appends what it produces. With `premises` (those
    /// of the caller's permissions) the decision may rest on remembered copies, and the append
    /// carries every one it used; without, it reads the log.
    async fn decide<A: Endpoint>(
        &self,
        principal: &auth::access::Principal,
        premises: Option<Vec<Premise>>,
        parsed: A::Request,
    ) -> Result<Accepted, ApiError> {
        let Self {
            services,
            stream,
            id,
            steering,
            request_hash,
        } = *self;
        principal.require(A::request_permission(&parsed))?;
        let actor = principal.actor();
        // A retry is answered before anything else is read: its first answer stands even if the
        // records it read have changed since.
        if let Some(key) = &steering.idempotency_key {
            if let Some(first) =
                idempotent_answer(&services.pool, &actor, key, request_hash).await?
            {
                return Ok(first);
            }
        }
        let context = Context::new(services, id, principal, Utc::now()).remembering(premises);
        let command = A::command(parsed, &context).await?;
        principal.require(A::permission(&command))?;

        let decided =
            decide_and_append::<A>(stream, steering, &actor, request_hash, command, &context).await;
        match (decided, &steering.idempotency_key) {
            (Ok(mut accepted), _) => {
                // Only an answer that recorded events carries what its command made.
                if !accepted.event_ids.is_empty() {
                    accepted.reply = context.take_reply();
                }
                Ok(accepted)
            }
            // A twin with the same key may have committed while this one was deciding; its effect
            // is what refused this one, and its answer is the answer.
            (Err(error), Some(key)) => {
                match idempotent_answer(&services.pool, &actor, key, request_hash).await? {
                    Some(first) => Ok(first),
                    None => Err(error),
                }
            }
            (Err(error), None) => Err(error),
        }
    }
}

/// Completes the command, decides it against the freshly loaded aggregate and appends the events,
/// with the idempotency record in the same transaction.
async fn decide_and_append<A: Endpoint>(
    stream: &StreamId,
    steering: &Steering,
    actor: &str,
    request_hash: &[u8],
    command: A::Command,
    context: &Context<'_>,
) -> Result<Accepted, ApiError> {
    let services = context.services;
    // authorised() and the first decision share one load; a lost race reloads.
    let remembered = context
        .remembers()
        .then(|| services.recent.get::<A>(stream))
        .flatten();
    let first = match remembered {
        Some(copy) => copy,
        None => load::<A>(services, stream).await?,
    };
    let command = A::authorised(command, &first.state, context).await?;
    // Every copy the decision rests on besides its own stream, whose version the append checks.
    let premises = context.take_premises();
    let mut loaded = Some(first);
    let command_id = Uuid::now_v7();
    let metadata = Metadata {
        actor: actor.to_owned(),
        correlation_id: steering.correlation_id,
        causation_id: command_id,
        command_id: Some(command_id),
    };

    // With If-Match a lost race for this stream is the client's to resolve (412); a lost race for a
    // follow-on stream is not, and is decided again like any other.
    let attempts = MAX_ATTEMPTS;
    for attempt in 1..=attempts {
        let state = match loaded.take() {
            Some(state) => state,
            None => load::<A>(services, stream).await?,
        };
        if let Some(expected) = steering.if_match {
            if expected != state.version {
                return Err(ApiError::PreconditionFailed {
                    expected,
                    actual: state.version,
                });
            }
        }
        let events = state.state.decide(command.clone())?;
        let version_before = state.version;
        if events.is_empty() {
            let accepted = Accepted {
                stream: stream.to_string(),
                version: version_before,
                event_ids: vec![],
                position: None,
                reply: None,
            };
            if let Some(key) = &steering.idempotency_key {
                remember(&services.pool, actor, key, request_hash, &accepted).await?;
            }
            return Ok(accepted);
        }
        let reserves = A::reserves(&events);
        // Only a command with reservations to write needs the state it was decided on.
        let before = reserves.then(|| state.state.clone());
        let after = events.iter().fold(state, Versioned::apply);
        // What the reservations read is read now, before the transaction holds a connection.
        let prepared = match &before {
            Some(before) => {
                Some(A::prepare(&command, &events, before, &after.state, context).await?)
            }
            None => None,
        };
        let to_append = new_events(&events, &metadata)?;
        let expected = ExpectedVersion::Exact(version_before);
        let written = match &steering.idempotency_key {
            // Without a record to commit beside the events, one statement does.
            None if !reserves => services
                .store
                .append_on(stream, expected, &to_append, &premises)
                .await
                .map(Write::Done),
            // The record commits with the events, and with other commands' appends in a group.
            Some(key) if !reserves => {
                let record = idempotency_record(stream, actor, key, request_hash);
                match services
                    .store
                    .append_on_with(stream, expected, &to_append, &premises, record)
                    .await
                {
                    Err(EventStoreError::Companion(error)) => {
                        // A concurrent twin with the same key committed first: its events
                        // stand, ours were never written.
                        return match idempotent_answer(&services.pool, actor, key, request_hash)
                            .await?
                        {
                            Some(first) => Ok(first),
                            None => Err(EventStoreError::Companion(error).into()),
                        };
                    }
                    written => written.map(Write::Done),
                }
            }
            _ => services
                .store
                .begin_append_on(stream, expected, &to_append, &premises)
                .await
                .map(Write::Pending),
        };
        let appended = match written {
            Ok(Write::Done(appended)) => appended,
            Ok(Write::Pending(mut pending)) => {
                let accepted = accepted_from(stream, pending.appended());
                if let (Some(before), Some(prepared), Some(tx)) =
                    (&before, &prepared, pending.connection())
                {
                    let follow = FollowOn {
                        context,
                        metadata: &metadata,
                        prepared,
                        event_ids: &accepted.event_ids,
                    };
                    match A::reserve(&events, before, &after.state, tx, &follow).await {
                        Ok(()) => {}
                        Err(ApiError::Conflict { actual }) if attempt < attempts => {
                            // A follow-on stream moved under us: our events roll back, and the
                            // command is decided again on fresh state.
                            drop(pending);
                            tracing::debug!(
                                attempt,
                                actual,
                                "a follow-on stream moved; deciding again"
                            );
                            continue;
                        }
                        Err(refused) => {
                            // The rule's other side won: our events roll back with the transaction.
                            drop(pending);
                            return Err(refused);
                        }
                    }
                }
                let appended = pending.appended().clone();
                if let (Some(key), Some(tx)) = (&steering.idempotency_key, pending.connection()) {
                    let record = idempotency_record(stream, actor, key, request_hash);
                    let stored = record(tx, &appended).await;
                    if stored.is_err() {
                        // A concurrent twin with the same key committed first: its events stand, ours go.
                        drop(pending);
                        return idempotent_answer(&services.pool, actor, key, request_hash)
                            .await?
                            .ok_or_else(|| {
                                ApiError::Internal("idempotency record vanished".into())
                            });
                    }
                }
                pending.commit().await?
            }
            Err(EventStoreError::VersionConflict { actual, .. }) => {
                if let Some(expected) = steering.if_match {
                    return Err(ApiError::PreconditionFailed { expected, actual });
                }
                tracing::debug!(
                    attempt,
                    actual,
                    "lost a race for the version; deciding again"
                );
                if attempt == attempts {
                    return Err(ApiError::Conflict { actual });
                }
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        metrics::counter!("motorlog_commands_total", "aggregate" => A::STREAM_TYPE).increment(1);
        // A snapshot is a copy of the state outside the log, in the clear: a stream with personal
        // data gets none, or erasing its subject's key would leave their name in the snapshot.
        if after.version / SNAPSHOT_EVERY > version_before / SNAPSHOT_EVERY
            && !stream_has_personal_data(A::STREAM_TYPE)
        {
            save_snapshot(&services.store, stream, &after).await;
        }
        services.recent.remember(stream, after);
        return Ok(accepted_from(stream, &appended));
    }
    Err(ApiError::Internal("no attempt was made".into()))
}

/// How the events were written: committed already, or pending with the idempotency record to add.
enum Write {
    Done(event_store::Appended),
    Pending(event_store::PendingAppend),
}

fn accepted_from(stream: &StreamId, appended: &event_store::Appended) -> Accepted {
    Accepted {
        stream: stream.to_string(),
        version: appended.stream_version,
        event_ids: appended.events.iter().map(|e| e.event_id).collect(),
        position: Some(appended.position().to_string()),
        reply: None,
    }
}

/// The idempotency record of a command, written with its events (as `EventStore::append_on_with`'s
/// companion, or in a pending append's transaction): its key, the request's hash and the answer.
/// It fails when a twin with the same key has one.
fn idempotency_record(stream: &StreamId, actor: &str, key: &str, request_hash: &[u8]) -> Companion {
    let (stream, actor, key, request_hash) = (
        stream.clone(),
        actor.to_owned(),
        key.to_owned(),
        request_hash.to_vec(),
    );
    event_store::companion(move |tx, appended| {
        let response = serde_json::to_value(accepted_from(&stream, appended));
        let (actor, key, request_hash) = (actor.clone(), key.clone(), request_hash.clone());
        Box::pin(async move {
            let response = response.map_err(|e| sqlx::Error::Encode(e.into()))?;
            sqlx::query!(
                "INSERT INTO command_api.idempotency (actor, key, request_hash, status, response)
                 VALUES ($1, $2, $3, 200, $4)",
                actor,
                key,
                request_hash,
                response,
            )
            .execute(tx)
            .await?;
            Ok(())
        })
    })
}

async fn remember(
    pool: &PgPool,
    actor: &str,
    key: &str,
    request_hash: &[u8],
    accepted: &Accepted,
) -> Result<(), ApiError> {
    let response = serde_json::to_value(accepted).map_err(|e| ApiError::Internal(e.to_string()))?;
    sqlx::query!(
        "INSERT INTO command_api.idempotency (actor, key, request_hash, status, response)
         VALUES ($1, $2, $3, 200, $4) ON CONFLICT DO NOTHING",
        actor,
        key,
        request_hash,
        response,
    )
    .execute(pool)
    .await?;
    Ok(())
}

async fn save_snapshot<A: Serialize>(store: &EventStore, stream: &StreamId, state: &Versioned<A>) {
    let saved = match serde_json::to_value(&state.state) {
        Ok(value) => {
            store
                .save_snapshot(&Snapshot {
                    stream: stream.clone(),
                    version: state.version,
                    schema_version: SNAPSHOT_SCHEMA,
                    state: value,
                })
                .await
        }
        Err(error) => Err(EventStoreError::InvalidAppend(error.to_string())),
    };
    // A snapshot is a cache: failing to save one slows later loads, nothing more.
    if let Err(error) = saved {
        tracing::warn!(%stream, %error, "snapshot not saved");
    }
}
