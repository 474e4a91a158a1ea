//! Every command body on its way through the command API, without the database: the bytes are read
//! exactly as `POST /v1/{aggregate}/{id}/{command}` reads them (`pipeline::request`), turned into the
//! domain command by the endpoint, checked for its permission and decided; up to four commands in a
//! row, each accepted one evolving the state the next is decided on. Nothing may panic.
//!
//! Input: `[aggregate byte][command byte][body]`, repeated, separated by 0xFF (a byte that never
//! occurs in UTF-8, so it never splits a JSON text). The command byte picks one of the aggregate's
//! command names as the OpenAPI document lists them, so the fuzzer never has to guess names.
//! Commands that read other records (a work order's client, the shop's settings) meet a database
//! that refuses at once and end in an error, which is not a panic.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::time::Duration;

use aggregates::catalogue::CatalogueService;
use aggregates::client::Client;
use aggregates::directory::Directory;
use aggregates::invoice::Invoice;
use aggregates::part::Part;
use aggregates::permission::Permission;
use aggregates::planning::appointment::Appointment;
use aggregates::planning::bay::Bay;
use aggregates::attachment::Attachment;
use aggregates::planning::shop_calendar::ShopCalendar;
use aggregates::planning::work_schedule::WorkSchedule;
use aggregates::purchase_order::PurchaseOrder;
use aggregates::role::Role;
use aggregates::settings::Settings;
use aggregates::staff::Staff;
use aggregates::stock::Stock;
use aggregates::supplier::Supplier;
use aggregates::timesheet::Timesheet;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::WorkOrder;
use auth::access::Principal;
use command_api::pipeline::{request, Context, Endpoint, Services};
use event_store::EventStore;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

struct World {
    runtime: tokio::runtime::Runtime,
    services: Services,
    /// Aggregate segment → its command names, from the OpenAPI document.
    commands: BTreeMap<String, Vec<String>>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        // Port 1 on loopback: nothing listens, so every read of another record fails at once.
        // The log's notifier starts a task, so the services are made inside the runtime.
        let services = runtime.block_on(async {
            let pool = PgPoolOptions::new()
                .acquire_timeout(Duration::from_millis(5))
                .connect_lazy_with(PgConnectOptions::new().host("127.0.0.1").port(1));
            Services {
                store: EventStore::new(pool.clone()),
                pool,
                shop: "main".into(),
                recent: command_api::recent::Recent::default(),
                files: None,
                public_url: None,
            }
        });
        let document = command_api::openapi::document();
        let mut commands: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, _) in document["paths"].as_object().expect("paths") {
            // `/v1/{aggregate}/{id}/{command}`; the client's approval routes
            // (`/v1/public/approval/...`) are no aggregate's commands.
            let segments: Vec<&str> = path.split('/').collect();
            if let [_, "v1", aggregate, "{id}", command] = segments.as_slice() {
                if !command.starts_with('{') {
                    commands
                        .entry((*aggregate).to_owned())
                        .or_default()
                        .push((*command).to_owned());
                }
            }
        }
        assert!(!commands.is_empty(), "no commands in the OpenAPI document");
        World {
            runtime,
            services,
            commands,
        }
    })
}

/// Decides each `(command, body)` in turn on one aggregate, evolving it by the accepted ones.
fn run<A: Endpoint>(world: &World, steps: &[(&str, &[u8])]) {
    let uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001).to_string();
    let id = A::parse_id(&uuid)
        .or_else(|_| A::parse_id("main"))
        .or_else(|_| A::parse_id(&format!("{uuid}:main")))
        .expect("an id for every aggregate");
    // The owner's reach: a permission that widens a rule (a backorder) is exercised too.
    let owner = Principal {
        employee_id: Uuid::from_u128(7),
        session_id: Uuid::from_u128(8),
        roles: BTreeSet::from(["owner".to_owned()]),
        permissions: Permission::ALL.iter().copied().collect(),
    };
    let context = Context::new(
        &world.services,
        &id,
        &owner,
        chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time"),
    );
    let mut state = A::default();
    for (name, body) in steps {
        let Ok(parsed) = request::<A::Request>(name, body) else {
            continue;
        };
        let _ = A::request_permission(&parsed);
        let Ok(command) = world.runtime.block_on(A::command(parsed, &context)) else {
            continue;
        };
        let _ = A::permission(&command);
        if let Ok(events) = state.decide(command) {
            for event in &events {
                // What the log would store must read back (the projectors and `load` rely on it).
                let stored = serde_json::to_value(event).expect("an event serialises");
                let _: A::Event = serde_json::from_value(stored).expect("an event reads back");
                state = state.evolve(event);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let world = world();
    let aggregates: Vec<&String> = world.commands.keys().collect();
    let mut chosen: Option<&str> = None;
    let mut steps: Vec<(&str, &[u8])> = Vec::new();
    for part in data.split(|byte| *byte == 0xFF).take(4) {
        let [aggregate, command, body @ ..] = part else {
            continue;
        };
        let aggregate = *chosen
            .get_or_insert_with(|| aggregates[usize::from(*aggregate) % aggregates.len()].as_str());
        let names = &world.commands[aggregate];
        steps.push((names[usize::from(*command) % names.len()].as_str(), body));
    }
    let Some(aggregate) = chosen else { return };
    match aggregate {
        "client" => run::<Client>(world, &steps),
        "vehicle" => run::<Vehicle>(world, &steps),
        "work_order" => run::<WorkOrder>(world, &steps),
        "invoice" => run::<Invoice>(world, &steps),
        "catalogue_service" => run::<CatalogueService>(world, &steps),
        "directory" => run::<Directory>(world, &steps),
        "role" => run::<Role>(world, &steps),
        "staff" => run::<Staff>(world, &steps),
        "settings" => run::<Settings>(world, &steps),
        "part" => run::<Part>(world, &steps),
        "supplier" => run::<Supplier>(world, &steps),
        "purchase_order" => run::<PurchaseOrder>(world, &steps),
        "stock" => run::<Stock>(world, &steps),
        "bay" => run::<Bay>(world, &steps),
        "work_schedule" => run::<WorkSchedule>(world, &steps),
        "shop_calendar" => run::<ShopCalendar>(world, &steps),
        "appointment" => run::<Appointment>(world, &steps),
        "timesheet" => run::<Timesheet>(world, &steps),
        "attachment" => run::<Attachment>(world, &steps),
        other => {
            panic!("the OpenAPI document names an aggregate the target does not know: {other}")
        }
    }
    // Keep the bodies' JSON parser honest too: what was accepted as JSON re-serialises.
    if let Some(body) = steps.first().map(|(_, body)| body) {
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            let _ = serde_json::to_vec(&value).expect("a JSON value serialises");
        }
    }
});
