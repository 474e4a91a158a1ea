//! A shop's history made by the domain's own decisions, for crash tests and benchmarks: clients with
//! phones, their vehicles, work orders through intake, estimate, approval, work and handover, and
//! invoices with payments, and the mechanics' timesheets clocking that work. Every event comes out
//! of `decide`, so the log is one the command API could have written; the same seed gives the same
//! shop.

use std::collections::{BTreeMap, BTreeSet};

use aggregates::client::{Client, ClientCommand, ClientStanding, Party};
use aggregates::contact::Phone;
use aggregates::directory::Code;
use aggregates::ids::{
    ClientId, EmployeeId, InvoiceId, LineId, PaymentId, RecommendationId, RefundId, VehicleId,
    WorkOrderId,
};
use aggregates::invoice::{Invoice, InvoiceCommand, Payer};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::permission::Actor;
use aggregates::staff::{RolePermissions, Staff, StaffCommand};
use aggregates::timesheet::{JobRef, Timesheet, TimesheetCommand};
use aggregates::vehicle::{Vehicle, VehicleCommand};
use aggregates::vehicle_ids::{Plate, Vin};
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, Intake, LabourService, LineDecision, Performer, WorkOrder,
    WorkOrderCommand, WorkOrderEvent,
};
use aggregates::{Aggregate, DomainError, DomainEvent, Versioned};
use chrono::{DateTime, Duration, TimeZone, Utc};
use event_store::{EventStore, ExpectedVersion, Metadata, NewEvent, StreamId};
use sqlx::PgPool;
use uuid::Uuid;

use crate::ProjectionError;

mod stock;

const SURNAMES: [&str; 40] = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
];
const FIRST_NAMES: [&str; 20] = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Матвей",
    "Роман",
    "Егор",
    "Арсений",
    "Иван",
    "Денис",
    "Евгений",
    "Тимофей",
    "Владимир",
];
const PATRONYMICS: [&str; 12] = [
    "Александрович",
    "Дмитриевич",
    "Сергеевич",
    "Андреевич",
    "Алексеевич",
    "Михайлович",
    "Иванович",
    "Николаевич",
    "Владимирович",
    "Петрович",
    "Юрьевич",
    "Викторович",
];
const CARS: [(&str, &str); 8] = [
    ("Lada", "Vesta"),
    ("Lada", "Granta"),
    ("Kia", "Rio"),
    ("Hyundai", "Solaris"),
    ("Toyota", "Camry"),
    ("Volkswagen", "Polo"),
    ("Skoda", "Octavia"),
    ("Renault", "Logan"),
];
const PLATE_LETTERS: [char; 12] = ['А', 'В', 'Е', 'К', 'М', 'Н', 'О', 'Р', 'С', 'Т', 'У', 'Х'];
const VIN_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
const WORKS: [(&str, u32); 6] = [
    ("Замена масла в двигателе", 5),
    ("Замена передних тормозных колодок", 10),
    ("Замена стоек стабилизатора", 15),
    ("Диагностика подвески", 5),
    ("Замена ремня ГРМ", 35),
    ("Развал-схождение", 10),
];
const PARTS: [(&str, &str, i64); 5] = [
    ("0K2N134150", "Стойка стабилизатора", 189_050),
    ("04465-33471", "Колодки тормозные передние", 420_000),
    ("15208-65F0E", "Фильтр масляный", 65_000),
    ("SHELL-5W30-4", "Масло моторное 5W-30, 4 л", 380_000),
    ("13028-4M500", "Ремень ГРМ", 310_000),
];

/// A stream's new events, as one append would write them.
#[derive(Debug, Clone)]
pub struct GeneratedStream {
    /// The stream.
    pub stream: StreamId,
    /// Its events from version 1.
    pub events: Vec<NewEvent>,
}

/// Makes clients, vehicles and work orders for a shop whose staff it hired.
#[derive(Debug, Clone)]
pub struct ShopGenerator {
    state: u64,
    started: DateTime<Utc>,
    advisor: EmployeeId,
    mechanics: Vec<EmployeeId>,
}

impl ShopGenerator {
    /// Hires an advisor and four mechanics into the shop's staff (appended like a command would),
    /// and returns a generator seeded with `seed`.
    pub async fn hire_staff(
        store: &EventStore,
        shop: &str,
        seed: u64,
    ) -> Result<Self, ProjectionError> {
        let stream = StreamId::new(Staff::STREAM_TYPE, shop);
        let mut staff = Versioned::<Staff>::default();
        for recorded in store.read_stream(&stream, 0).await? {
            staff = staff.apply(&crate::support::decode(&recorded)?);
        }
        let expected = staff.version;
        let mut generator = Self {
            state: seed,
            started: Utc
                .with_ymd_and_hms(2026, 1, 12, 9, 0, 0)
                .single()
                .unwrap_or_default(),
            advisor: EmployeeId(Uuid::now_v7()),
            mechanics: (0..4).map(|_| EmployeeId(Uuid::now_v7())).collect(),
        };
        let hires = std::iter::once((generator.advisor, "Орлова Марина Игоревна", "advisor"))
            .chain(
                generator
                    .mechanics
                    .clone()
                    .into_iter()
                    .zip(["Кравцов Олег", "Титов Павел", "Белов Артём", "Зуев Глеб"])
                    .map(|(id, name)| (id, name, "mechanic")),
            );
        let mut events = Vec::new();
        for (i, (employee_id, full_name, role)) in hires.enumerate() {
            let hired = generator.decide(
                &mut staff.state,
                StaffCommand::Hire {
                    employee_id,
                    full_name: full_name.into(),
                    position: if role == "advisor" {
                        "Мастер-приёмщик".into()
                    } else {
                        "Автомеханик".into()
                    },
                    email: None,
                    phone: Some(domain(Phone::parse(&format!(
                        "+7915{:03}{i:04}",
                        seed % 1000
                    )))?),
                    roles: BTreeSet::from([domain(Code::parse(role))?]),
                    at: generator.started,
                    by: Actor::owner(),
                    role_permissions: RolePermissions::new(),
                },
            )?;
            events.extend(hired);
        }
        let _ = generator.next();
        store
            .append(&stream, ExpectedVersion::Exact(expected), &events)
            .await?;
        Ok(generator)
    }

    /// The same shop's generator on another seed: for generating in parallel without repeating.
    pub fn reseeded(&self, seed: u64) -> Self {
        Self {
            state: seed,
            ..self.clone()
        }
    }

    /// The advisor who opens the generated orders.
    pub fn advisor(&self) -> EmployeeId {
        self.advisor
    }

    /// The mechanics the generated orders are assigned to.
    pub fn mechanics(&self) -> &[EmployeeId] {
        &self.mechanics
    }

    /// Client number `n`: a person with a mobile phone derived from `n` (so phones do not repeat).
    pub fn client(&mut self, n: u64) -> Result<(ClientId, GeneratedStream), ProjectionError> {
        let id = ClientId(Uuid::now_v7());
        let full_name = format!(
            "{} {} {}",
            self.pick(&SURNAMES),
            self.pick(&FIRST_NAMES),
            self.pick(&PATRONYMICS)
        );
        let phone = domain(Phone::parse(&format!("+79{:09}", n % 1_000_000_000)))?;
        let at = self.moment(n);
        let events = self.decide(
            &mut Client::default(),
            ClientCommand::Register {
                client_id: id,
                party: Party::Person { full_name },
                phones: vec![phone],
                email: None,
                at,
            },
        )?;
        Ok((id, stream::<Client>(id.0, events)))
    }

    /// Vehicle number `n` of `owner`: a plate and a VIN derived from `n`, so both are unique.
    pub fn vehicle(
        &mut self,
        n: u64,
        owner: ClientId,
    ) -> Result<(VehicleId, GeneratedStream), ProjectionError> {
        let id = VehicleId(Uuid::now_v7());
        let (make, model) = self.pick(&CARS);
        let events = self.decide(
            &mut Vehicle::default(),
            VehicleCommand::Register {
                vehicle_id: id,
                vin: Some(domain(Vin::parse(&vin(n)))?),
                plate: Some(domain(Plate::parse(&plate(n)))?),
                make: make.into(),
                model: model.into(),
                year: Some(2008 + (n % 17) as u16),
                owner,
                at: self.moment(n),
            },
        )?;
        Ok((id, stream::<Vehicle>(id.0, events)))
    }

    /// Work order number `n` for a client's vehicle, taken as far as its lifecycle goes for `n`:
    /// most are closed and invoiced (paid in full or in part), the rest wait at every earlier step.
    pub fn work_order(
        &mut self,
        n: u64,
        client: ClientId,
        vehicle: VehicleId,
    ) -> Result<Vec<GeneratedStream>, ProjectionError> {
        let id = WorkOrderId(Uuid::now_v7());
        let opened = self.moment(n);
        let minutes = |m: i64| opened + Duration::minutes(m);
        let mechanic = self.mechanics[(n % self.mechanics.len() as u64) as usize];
        let advisor = self.advisor;
        let mut order = WorkOrder::default();
        let mut events = self.decide(
            &mut order,
            WorkOrderCommand::Open {
                work_order_id: id,
                number: format!("ЗН-2026-{n:06}"),
                client_id: client,
                client_standing: ClientStanding::Active,
                vehicle_id: vehicle,
                vat_rate: domain(Percent::whole(20))?,
                opened_by: advisor,
                at: opened,
            },
        )?;
        // How far this order got: 0 opened … 7 invoiced and paid.
        let stage = match self.next() % 20 {
            0 => 1,
            1 => 2,
            2 => 3,
            3 => 4,
            4 => 5,
            5 => 6,
            _ => 7,
        };
        let mut step = |generator: &mut Self, command| -> Result<(), ProjectionError> {
            let decided = generator.decide(&mut order, command)?;
            events.extend(decided);
            Ok(())
        };
        if stage >= 2 {
            step(
                self,
                WorkOrderCommand::AcceptVehicle {
                    intake: Intake {
                        mileage_km: 20_000 + (n % 180_000) as u32,
                        complaints: "Стук в передней подвеске на неровностях".into(),
                        fuel_eighths: (n % 9) as u8,
                        visible_damage: vec!["Царапина на заднем бампере".into()],
                        items_left: Vec::new(),
                        received_by: advisor,
                        at: minutes(10),
                    },
                },
            )?;
            // Most cars are promised for the next day; a few promises move, a few are withdrawn.
            if n % 4 != 0 {
                let promised = minutes(24 * 60 + 8 * 60);
                step(
                    self,
                    WorkOrderCommand::SetPromisedTime {
                        promised_at: Some(promised),
                        reason: None,
                    },
                )?;
                let changed = match n % 8 {
                    1 => Some(Some(promised + Duration::hours(24))),
                    3 => Some(None),
                    _ => None,
                };
                if let Some(promised_at) = changed {
                    step(
                        self,
                        WorkOrderCommand::SetPromisedTime {
                            promised_at,
                            reason: Some("Ждём запчасти".into()),
                        },
                    )?;
                }
            }
        }
        let labour = LineId(Uuid::now_v7());
        let parts = LineId(Uuid::now_v7());
        if stage >= 3 {
            let (work, tenths) = self.pick(&WORKS);
            let (part_number, name, price) = self.pick(&PARTS);
            step(
                self,
                WorkOrderCommand::AddLabourLine {
                    line_id: labour,
                    service: LabourService::FreeText { name: work.into() },
                    norm_hours: domain(NormHours::from_tenths(tenths))?,
                    rate: Money::roubles(2_500),
                    discount: Percent::ZERO,
                    mechanic: Some(mechanic),
                },
            )?;
            step(
                self,
                WorkOrderCommand::AddPartsLine {
                    line_id: parts,
                    part_number: part_number.into(),
                    name: name.into(),
                    quantity: domain(Quantity::units(1 + (n % 2) as u32))?,
                    unit_price: Money::kopecks(price),
                    discount: Percent::ZERO,
                    client_supplied: false,
                    part_id: None,
                },
            )?;
            // Recommended work is named like the shop's works, so a later visit can take it up.
            let (recommended, _) = self.pick(&WORKS);
            step(
                self,
                WorkOrderCommand::AddRecommendation {
                    recommendation_id: RecommendationId(Uuid::now_v7()),
                    text: recommended.into(),
                    at: minutes(30),
                    by: Performer::mechanic(mechanic),
                },
            )?;
        }
        if stage >= 4 {
            step(
                self,
                WorkOrderCommand::RecordApproval {
                    decisions: vec![
                        (labour, LineDecision::Approve),
                        (parts, LineDecision::Approve),
                    ],
                    record: ApprovalRecord {
                        by: "клиент".into(),
                        channel: ApprovalChannel::InPerson,
                        at: minutes(40),
                    },
                },
            )?;
        }
        if stage >= 5 {
            step(self, WorkOrderCommand::StartWork { at: minutes(60) })?;
            step(
                self,
                WorkOrderCommand::StartLabour {
                    line_id: labour,
                    by: Performer::mechanic(mechanic),
                    at: minutes(61),
                },
            )?;
            step(
                self,
                WorkOrderCommand::FinishLabour {
                    line_id: labour,
                    at: minutes(150),
                    by: Performer::mechanic(mechanic),
                },
            )?;
        }
        if stage >= 6 {
            step(self, WorkOrderCommand::Complete { at: minutes(155) })?;
        }
        let mut streams = Vec::with_capacity(2);
        if stage >= 7 {
            let basis = domain(order.invoice_basis())?;
            let total = basis.totals.total;
            let invoice_id = InvoiceId(Uuid::now_v7());
            let mut invoice = Invoice::default();
            let mut invoice_events = self.decide(
                &mut invoice,
                InvoiceCommand::Issue {
                    invoice_id,
                    number: format!("СЧ-2026-{n:06}"),
                    basis,
                    payer: Payer::Client { client_id: client },
                    amount: None,
                    at: minutes(160),
                },
            )?;
            // One in ten leaves a debt behind, one in thirty is voided unpaid (a mistake re-issued).
            let fate = self.next() % 30;
            let paid = match fate {
                0 | 10 | 20 => Money::kopecks(total.as_kopecks() / 2),
                1 => Money::ZERO,
                _ => total,
            };
            if fate == 1 {
                let voided = self.decide(
                    &mut invoice,
                    InvoiceCommand::Void {
                        reason: "Ошибка в реквизитах".into(),
                        at: minutes(162),
                    },
                )?;
                invoice_events.extend(voided);
            }
            if paid.as_kopecks() > 0 {
                let method = if n % 3 == 0 { "cash" } else { "card" };
                let payment = self.decide(
                    &mut invoice,
                    InvoiceCommand::RecordPayment {
                        payment_id: PaymentId(Uuid::now_v7()),
                        amount: paid,
                        method: method.into(),
                        reference: None,
                        at: minutes(165),
                    },
                )?;
                invoice_events.extend(payment);
                // One in fifteen paid in full is partly refunded (a part returned).
                if fate % 15 == 2 {
                    let refund = self.decide(
                        &mut invoice,
                        InvoiceCommand::RecordRefund {
                            refund_id: RefundId(Uuid::now_v7()),
                            amount: Money::kopecks(paid.as_kopecks() / 10),
                            method: "card".into(),
                            reason: "Возврат неиспользованной детали".into(),
                            at: minutes(168),
                        },
                    )?;
                    invoice_events.extend(refund);
                }
            }
            let closed = self.decide(
                &mut order,
                WorkOrderCommand::Close {
                    by: advisor,
                    at: minutes(170),
                },
            )?;
            events.extend(closed);
            streams.push(stream::<Invoice>(invoice_id.0, invoice_events));
        }
        streams.insert(0, stream::<WorkOrder>(id.0, events));
        Ok(streams)
    }

    /// The timesheets of the mechanics who did the labour in `streams` (work orders this generator
    /// made): each working day a mechanic clocks in a quarter of an hour before their first job
    /// and out a quarter after their last, starts each job when its line was started and finishes
    /// it when the line was; a job of over an hour has a quarter-hour pause after its first half
    /// hour. Commands are decided in time order, so a job started while another runs pauses that
    /// one, as on the floor; a command the timesheet refuses (a finish of a job the mechanic never
    /// started) is left out. One stream per mechanic with any labour.
    pub fn timesheets(
        &mut self,
        streams: &[GeneratedStream],
    ) -> Result<Vec<GeneratedStream>, ProjectionError> {
        /// What a mechanic does at an instant, in the order of a tie (a pause before a finish).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        enum Step {
            ClockIn,
            Start(JobRef),
            Pause(JobRef),
            Resume(JobRef),
            Finish(JobRef),
            ClockOut,
        }
        let mut started: BTreeMap<JobRef, (EmployeeId, DateTime<Utc>)> = BTreeMap::new();
        let mut days: BTreeMap<EmployeeId, Vec<(DateTime<Utc>, Step)>> = BTreeMap::new();
        for generated in streams {
            if generated.stream.stream_type != WorkOrder::STREAM_TYPE {
                continue;
            }
            let work_order_id = WorkOrderId(domain_id(&generated.stream.id)?);
            for new in &generated.events {
                let event: WorkOrderEvent = serde_json::from_value(new.payload.clone())
                    .map_err(|e| ProjectionError::Inconsistent(format!("generator: {e}")))?;
                match event {
                    WorkOrderEvent::LabourStarted {
                        line_id,
                        mechanic,
                        at,
                    } => {
                        started.insert(
                            JobRef {
                                work_order_id,
                                line_id,
                            },
                            (mechanic, at),
                        );
                    }
                    WorkOrderEvent::LabourFinished { line_id, at } => {
                        let job = JobRef {
                            work_order_id,
                            line_id,
                        };
                        let Some((mechanic, from)) = started.get(&job).copied() else {
                            continue;
                        };
                        let steps = days.entry(mechanic).or_default();
                        steps.push((from, Step::Start(job)));
                        if at - from > Duration::hours(1) {
                            steps.push((from + Duration::minutes(30), Step::Pause(job)));
                            steps.push((from + Duration::minutes(45), Step::Resume(job)));
                        }
                        steps.push((at, Step::Finish(job)));
                    }
                    _ => {}
                }
            }
        }
        let mut timesheets = Vec::with_capacity(days.len());
        for (mechanic, mut steps) in days {
            steps.sort();
            // The shift around each day's work.
            let mut by_day: BTreeMap<chrono::NaiveDate, (DateTime<Utc>, DateTime<Utc>)> =
                BTreeMap::new();
            for (at, _) in &steps {
                let day = by_day.entry(at.date_naive()).or_insert((*at, *at));
                day.0 = day.0.min(*at);
                day.1 = day.1.max(*at);
            }
            for (first, last) in by_day.into_values() {
                steps.push((first - Duration::minutes(15), Step::ClockIn));
                steps.push((last + Duration::minutes(15), Step::ClockOut));
            }
            steps.sort();
            let mut timesheet = Timesheet::default();
            let mut events = Vec::new();
            for (at, step) in steps {
                let command = match step {
                    Step::ClockIn => TimesheetCommand::ClockIn {
                        employee_id: mechanic,
                        at,
                    },
                    Step::Start(job) => TimesheetCommand::StartJob { job, at },
                    Step::Pause(job) => TimesheetCommand::PauseJob { job, at },
                    Step::Resume(job) => TimesheetCommand::ResumeJob { job, at },
                    Step::Finish(job) => TimesheetCommand::FinishJob { job, at },
                    Step::ClockOut => TimesheetCommand::ClockOut { at },
                };
                // A refusal is decided before anything changes: the timesheet stays as it was.
                if let Ok(decided) = self.decide(&mut timesheet, command) {
                    events.extend(decided);
                }
            }
            timesheets.push(stream::<Timesheet>(mechanic.0, events));
        }
        Ok(timesheets)
    }

    /// Decides a command on `state`, evolves it, and returns the events ready to append.
    fn decide<A: Aggregate>(
        &mut self,
        state: &mut A,
        command: A::Command,
    ) -> Result<Vec<NewEvent>, ProjectionError> {
        let events = domain(state.decide(command))?;
        let metadata = Metadata::system(format!("employee:{}", self.advisor));
        let mut new = Vec::with_capacity(events.len());
        for event in &events {
            *state = std::mem::take(state).evolve(event);
            let payload = serde_json::to_value(event).map_err(|e| {
                ProjectionError::Inconsistent(format!("{}: {e}", event.event_type()))
            })?;
            new.push(NewEvent::new(
                event.event_type(),
                event.schema_version(),
                payload,
                metadata.clone(),
            ));
        }
        Ok(new)
    }

    /// A moment within the shop's working hours, spread over the year by `n`.
    fn moment(&self, n: u64) -> DateTime<Utc> {
        let day = (n % 300) as i64;
        let minute = ((n / 300) % 480) as i64;
        self.started + Duration::days(day) + Duration::minutes(minute)
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }

    /// SplitMix64: deterministic, and no dependency for a generator.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn domain<T>(result: Result<T, DomainError>) -> Result<T, ProjectionError> {
    result.map_err(|e| ProjectionError::Inconsistent(format!("generator: {e}")))
}

fn domain_id(id: &str) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(id).map_err(|e| ProjectionError::Inconsistent(format!("generator: {id}: {e}")))
}

fn stream<A: Aggregate>(id: Uuid, events: Vec<NewEvent>) -> GeneratedStream {
    GeneratedStream {
        stream: StreamId::new(A::STREAM_TYPE, id.to_string()),
        events,
    }
}

/// The plate of generated vehicle `n`, unique for `n` below 12³ × 1000 × 90: three letters, three
/// digits, a region.
pub fn plate(n: u64) -> String {
    let letter = |i: u64| PLATE_LETTERS[(i % 12) as usize];
    let digits = n % 1000;
    let letters = n / 1000;
    let region = 10 + (letters / 1728) % 90;
    format!(
        "{}{digits:03}{}{}{region}",
        letter(letters),
        letter(letters / 12),
        letter(letters / 144)
    )
}

/// The VIN of generated vehicle `n`: a Russian maker's prefix (no check digit) and `n` in the
/// serial part.
pub fn vin(n: u64) -> String {
    let mut serial = [b'0'; 8];
    let mut rest = n;
    for c in serial.iter_mut().rev() {
        *c = VIN_CHARS[(rest % VIN_CHARS.len() as u64) as usize];
        rest /= VIN_CHARS.len() as u64;
    }
    format!("XTA21700{}{}", 'A', String::from_utf8_lossy(&serial))
}

/// Writes new streams straight into the log, many per statement: a generator's shortcut past
/// `append` (whose one-stream-per-call checks a bulk load does not need). Versions start at 1, so a
/// stream that exists already fails the log's unique key and nothing of the chunk is written.
pub async fn bulk_insert(pool: &PgPool, streams: &[GeneratedStream]) -> Result<u64, sqlx::Error> {
    let mut rows = BulkRows::default();
    for generated in streams {
        for (version, event) in generated.events.iter().enumerate() {
            rows.push(generated, version, event);
        }
    }
    rows.insert(pool).await
}

/// [`bulk_insert`] with the events of `together` visits at a time interleaved, as a shop's day
/// interleaves its visits: each visit's events keep their order (its streams one after another,
/// each from version 1), and the visits take turns event by event.
pub async fn bulk_insert_interleaved(
    pool: &PgPool,
    visits: &[Vec<GeneratedStream>],
    together: usize,
) -> Result<u64, sqlx::Error> {
    let mut rows = BulkRows::default();
    for group in visits.chunks(together.max(1)) {
        let mut turns: Vec<_> = group
            .iter()
            .map(|visit| {
                visit.iter().flat_map(|generated| {
                    generated
                        .events
                        .iter()
                        .enumerate()
                        .map(move |(version, event)| (generated, version, event))
                })
            })
            .collect();
        loop {
            let mut took = false;
            for turn in &mut turns {
                if let Some((generated, version, event)) = turn.next() {
                    rows.push(generated, version, event);
                    took = true;
                }
            }
            if !took {
                break;
            }
        }
    }
    rows.insert(pool).await
}

#[derive(Default)]
struct BulkRows {
    event_id: Vec<Uuid>,
    stream_type: Vec<String>,
    stream_id: Vec<String>,
    stream_version: Vec<i64>,
    event_type: Vec<String>,
    schema_version: Vec<i32>,
    payload: Vec<String>,
    metadata: Vec<String>,
}

impl BulkRows {
    fn push(&mut self, generated: &GeneratedStream, version: usize, event: &NewEvent) {
        self.event_id.push(event.event_id);
        self.stream_type.push(generated.stream.stream_type.clone());
        self.stream_id.push(generated.stream.id.clone());
        self.stream_version.push(version as i64 + 1);
        self.event_type.push(event.event_type.clone());
        self.schema_version.push(event.schema_version as i32);
        // As text, as `append` sends them: the log stores what its writer sent.
        self.payload.push(event.payload.to_string());
        self.metadata
            .push(serde_json::to_string(&event.metadata).unwrap_or_default());
    }

    async fn insert(self, pool: &PgPool) -> Result<u64, sqlx::Error> {
        let written = sqlx::query(
            "INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type,
                                 schema_version, payload, metadata)
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                                  $6::int[], $7::text[]::json[], $8::text[]::json[])",
        )
        .bind(&self.event_id)
        .bind(&self.stream_type)
        .bind(&self.stream_id)
        .bind(&self.stream_version)
        .bind(&self.event_type)
        .bind(&self.schema_version)
        .bind(&self.payload)
        .bind(&self.metadata)
        .execute(pool)
        .await?;
        Ok(written.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_and_vins_parse_and_do_not_repeat() {
        let mut plates = BTreeSet::new();
        let mut vins = BTreeSet::new();
        for n in (0..2_000_000).step_by(997) {
            assert!(Plate::parse(&plate(n)).is_ok(), "{}", plate(n));
            assert!(Vin::parse(&vin(n)).is_ok(), "{}", vin(n));
            assert!(plates.insert(plate(n)));
            assert!(vins.insert(vin(n)));
        }
    }
}

/// A message of a Kafka topic as its bytes read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMessage {
    /// The key (the relay's: the stream).
    pub key: String,
    /// The payload (the relay's: the event as stored).
    pub payload: String,
}

/// The first `expected` messages of partition 0 of `topic`, from its beginning: what a test reads
/// to see exactly what the brokers hold. Gives up after two minutes.
pub async fn topic_messages(
    bootstrap: &str,
    topic: &str,
    expected: usize,
) -> Result<Vec<TopicMessage>, ProjectionError> {
    use rdkafka::consumer::{Consumer, StreamConsumer};
    use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
    let failed = |e: rdkafka::error::KafkaError| ProjectionError::SinkUnavailable(e.to_string());
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("test-{}", Uuid::now_v7()))
        .set("enable.auto.commit", "false")
        .create()
        .map_err(failed)?;
    let mut partitions = TopicPartitionList::new();
    partitions
        .add_partition_offset(topic, 0, Offset::Beginning)
        .map_err(failed)?;
    consumer.assign(&partitions).map_err(failed)?;
    let text =
        |bytes: Option<&[u8]>| String::from_utf8_lossy(bytes.unwrap_or_default()).into_owned();
    let mut messages = Vec::with_capacity(expected);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while messages.len() < expected {
        if std::time::Instant::now() >= deadline {
            return Err(ProjectionError::SinkUnavailable(format!(
                "{} of {expected} messages read from {topic}",
                messages.len()
            )));
        }
        let Ok(received) =
            tokio::time::timeout(std::time::Duration::from_secs(5), consumer.recv()).await
        else {
            continue;
        };
        let message = received.map_err(failed)?;
        messages.push(TopicMessage {
            key: text(message.key()),
            payload: text(message.payload()),
        });
    }
    Ok(messages)
}

/// A `clickhouse-server` of the test's own on 127.0.0.1: its own config, data directory and free
/// ports; stopped and removed when dropped. `CLICKHOUSE_SERVER` names the binary (default
/// `clickhouse-server`, from Debian's package, which `scripts/install-tools.sh` installs).
#[derive(Debug)]
pub struct ClickHouseServer {
    child: std::process::Child,
    directory: std::path::PathBuf,
    /// The HTTP interface, `http://127.0.0.1:PORT`.
    pub url: String,
}

impl ClickHouseServer {
    /// Starts a server and waits until it answers.
    pub async fn start() -> Result<Self, ProjectionError> {
        let unavailable = |what: String| ProjectionError::SinkUnavailable(what);
        let free_port = || -> Result<u16, ProjectionError> {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .map_err(|e| unavailable(format!("no free port: {e}")))?;
            listener
                .local_addr()
                .map(|a| a.port())
                .map_err(|e| unavailable(e.to_string()))
        };
        let directory = std::env::temp_dir().join(format!("motorlog-ch-{}", Uuid::now_v7()));
        let data = directory.join("data");
        std::fs::create_dir_all(&data).map_err(|e| unavailable(e.to_string()))?;
        let (http, tcp) = (free_port()?, free_port()?);
        let config = format!(
            r#"<yandex>
  <logger><level>warning</level><log>{dir}/server.log</log><errorlog>{dir}/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <path>{data}/</path>
  <tmp_path>{data}/tmp/</tmp_path>
  <user_files_path>{data}/user_files/</user_files_path>
  <format_schema_path>{data}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>"#,
            dir = directory.display(),
            data = data.display(),
        );
        let users = r#"<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>"#;
        let write = |name: &str, text: &str| {
            std::fs::write(directory.join(name), text).map_err(|e| unavailable(e.to_string()))
        };
        write("config.xml", &config)?;
        write("users.xml", users)?;
        // Debian puts it in /usr/sbin, which an unprivileged user's PATH may lack.
        let binary = std::env::var("CLICKHOUSE_SERVER").unwrap_or_else(|_| {
            let debian = "/usr/sbin/clickhouse-server";
            if std::path::Path::new(debian).exists() {
                debian.into()
            } else {
                "clickhouse-server".into()
            }
        });
        let child = std::process::Command::new(&binary)
            .arg(format!(
                "--config-file={}",
                directory.join("config.xml").display()
            ))
            .current_dir(&directory)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                unavailable(format!(
                    "cannot start {binary} ({e}): `bash scripts/install-tools.sh` installs it"
                ))
            })?;
        let mut server = Self {
            child,
            directory,
            url: format!("http://127.0.0.1:{http}"),
        };
        let client = crate::sinks::clickhouse_facts::connect(&server.url, "default");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if client.query("SELECT 1").execute().await.is_ok() {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let log =
                    std::fs::read_to_string(server.directory.join("error.log")).unwrap_or_default();
                return Err(unavailable(format!(
                    "clickhouse-server exited ({status}): {log}"
                )));
            }
            if std::time::Instant::now() > deadline {
                return Err(unavailable(
                    "clickhouse-server did not answer in 30 s".into(),
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

impl Drop for ClickHouseServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
