//! The OpenAPI document, generated from the request types themselves and served at `/openapi.json`.
//!
//! Every command goes through one route, `POST /v1/{aggregate}/{id}/{command}`; the document lists
//! each command as its own path (`/v1/client/{id}/register`) with exactly the body that command
//! accepts: the request enum's variant without `command` (the API takes it from the path and
//! refuses it in the body), no other properties (the bodies deny unknown fields), and every integer
//! within the range of the Rust type it is read into. The request enums themselves stay in
//! `components` (tagged by `command`), which the web app's types are generated from.

use aggregates::attachment::{FileKind, FilePurpose};
use aggregates::client::{ConsentChannel, ConsentKind};
use aggregates::part::Unit;
use aggregates::permission::Permission;
use aggregates::planning::work_schedule::AbsenceKind;
use aggregates::planning::BayKind;
use aggregates::work_order::LineDecision;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use crate::approval_link;
use crate::endpoints::{
    client, directory, invoice, parts, planning, purchasing, roles, settings, stock, timesheet,
    vehicle, work_order,
};
use crate::pipeline::Accepted;

/// The shape of every refusal.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorBody {
    /// Stable machine code, e.g. `invoice_overpaid`.
    code: String,
    /// What went wrong, in English.
    message: String,
    /// What went wrong, in Russian, for the shop's staff.
    message_ru: String,
    /// The figures behind the refusal (balance, expected version, permission).
    details: Map<String, Value>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Motorlog command API",
        description = "Commands change the shop: POST /v1/{aggregate}/{id}/{command} with a bearer token. \
                       Answers carry the new version (ETag; send it back as If-Match) and the log position \
                       a query can wait for. Idempotency-Key makes retries safe."
    ),
    components(schemas(
        client::ClientRequest,
        vehicle::VehicleRequest,
        work_order::WorkOrderRequest,
        invoice::InvoiceRequest,
        directory::CatalogueRequest,
        directory::DirectoryRequest,
        roles::RoleRequest,
        roles::StaffRequest,
        settings::SettingsRequest,
        settings::MarkupRangeBody,
        parts::PartRequest,
        parts::SupplierRequest,
        purchasing::PurchaseOrderRequest,
        purchasing::ReceiptLineBody,
        stock::StockRequest,
        planning::BayRequest,
        planning::WorkScheduleRequest,
        planning::ShopCalendarRequest,
        planning::AppointmentRequest,
        planning::ShiftBody,
        planning::BreakBody,
        planning::PlannedWorkBody,
        timesheet::TimesheetRequest,
        crate::endpoints::attachment::AttachmentRequest,
        crate::files::UploadRequest,
        crate::files::UploadTicket,
        Accepted,
        ErrorBody,
        approval_link::ViewBody,
        approval_link::AnswerBody,
        approval_link::ApprovalView,
        approval_link::AnswerRecorded,
        approval_link::ShownLine,
        approval_link::ShownTotals,
        approval_link::ShownVehicle,
    ))
)]
struct CommandApiDoc;

/// What an aggregate's ids are.
#[derive(Clone, Copy)]
enum Ids {
    /// UUIDs.
    Uuid,
    /// Codes such as `main`.
    Code,
    /// A part's stock at a location: `{part id}:{location code}`.
    Stock,
}

/// Each aggregate segment, the schema of its request bodies, and what its ids are.
const BODIES: &[(&str, &str, Ids)] = &[
    ("client", "ClientRequest", Ids::Uuid),
    ("vehicle", "VehicleRequest", Ids::Uuid),
    ("work_order", "WorkOrderRequest", Ids::Uuid),
    ("invoice", "InvoiceRequest", Ids::Uuid),
    ("catalogue_service", "CatalogueRequest", Ids::Uuid),
    ("directory", "DirectoryRequest", Ids::Code),
    ("role", "RoleRequest", Ids::Code),
    ("staff", "StaffRequest", Ids::Code),
    ("settings", "SettingsRequest", Ids::Code),
    ("part", "PartRequest", Ids::Uuid),
    ("supplier", "SupplierRequest", Ids::Uuid),
    ("purchase_order", "PurchaseOrderRequest", Ids::Uuid),
    ("stock", "StockRequest", Ids::Stock),
    ("bay", "BayRequest", Ids::Uuid),
    ("work_schedule", "WorkScheduleRequest", Ids::Uuid),
    ("shop_calendar", "ShopCalendarRequest", Ids::Code),
    ("appointment", "AppointmentRequest", Ids::Uuid),
    ("timesheet", "TimesheetRequest", Ids::Uuid),
    ("attachment", "AttachmentRequest", Ids::Uuid),
];

/// A stock stream's id: a UUID, a colon, a location code.
const STOCK_ID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}:[a-z][a-z0-9_-]{0,39}$";

/// What `directory::Code::parse` accepts, for the ids of code-keyed aggregates.
const CODE_PATTERN: &str = "^[a-z][a-z0-9_-]{0,39}$";

/// The range of each integer format the request types use (utoipa's `non_strict_integers`
/// formats, which it spells `u-int16`), and the standard format the document states instead.
fn integer_range(format: &str) -> Option<(i128, i128, &'static str)> {
    Some(match format {
        "uint8" | "u-int8" => (0, u8::MAX.into(), "int32"),
        "uint16" | "u-int16" => (0, u16::MAX.into(), "int32"),
        "uint32" | "u-int32" => (0, u32::MAX.into(), "int64"),
        "uint64" | "u-int64" => (0, u64::MAX.into(), "int64"),
        "int8" => (i8::MIN.into(), i8::MAX.into(), "int32"),
        "int16" => (i16::MIN.into(), i16::MAX.into(), "int32"),
        "int32" => (i32::MIN.into(), i32::MAX.into(), "int32"),
        "int64" => (i64::MIN.into(), i64::MAX.into(), "int64"),
        _ => return None,
    })
}

/// Makes every schema below `schema` say exactly what serde accepts: integers within their Rust
/// type's range (a bound the type sets itself is kept), objects without unknown properties.
fn exact(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let integer = match object.get("type") {
                Some(Value::String(kind)) => kind == "integer",
                Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "integer"),
                _ => false,
            };
            if integer {
                let range = object
                    .get("format")
                    .and_then(Value::as_str)
                    .and_then(integer_range);
                if let Some((minimum, maximum, format)) = range {
                    let bound = |n: i128| {
                        i64::try_from(n)
                            .map(Value::from)
                            .unwrap_or_else(|_| Value::from(u64::try_from(n).unwrap_or(u64::MAX)))
                    };
                    object.entry("minimum").or_insert_with(|| bound(minimum));
                    object.entry("maximum").or_insert_with(|| bound(maximum));
                    object.insert("format".into(), json!(format));
                }
            }
            if object.contains_key("properties") {
                object
                    .entry("additionalProperties")
                    .or_insert(Value::Bool(false));
            }
            object.values_mut().for_each(exact);
        }
        Value::Array(items) => items.iter_mut().for_each(exact),
        _ => {}
    }
}

/// What every text the API stores may hold: anything but U+0000, which PostgreSQL cannot store in
/// `text` or `jsonb` and the API refuses (400 `invalid_text`) in any string or key of a body.
const STORABLE_TEXT: &str = "^[^\\x00]*$";

/// Gives every free-text string below `schema` (no format, no enum, no pattern of its own) the
/// storable-text pattern.
fn storable_text(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let string = match object.get("type") {
                Some(Value::String(kind)) => kind == "string",
                Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "string"),
                _ => false,
            };
            if string
                && !["format", "enum", "pattern"]
                    .iter()
                    .any(|k| object.contains_key(*k))
            {
                object.insert("pattern".into(), json!(STORABLE_TEXT));
            }
            object.values_mut().for_each(storable_text);
        }
        Value::Array(items) => items.iter_mut().for_each(storable_text),
        _ => {}
    }
}

/// Lists the permission codes a role's `permissions` may name (the request type reads them as
/// strings and refuses an unknown one as malformed).
fn permission_codes(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(items) = object
                .get_mut("properties")
                .and_then(|p| p.get_mut("permissions"))
                .and_then(|p| p.get_mut("items"))
            {
                let codes: Vec<&str> = Permission::ALL.iter().map(|p| p.code()).collect();
                *items = json!({ "type": "string", "enum": codes });
            }
            object.values_mut().for_each(permission_codes);
        }
        Value::Array(items) => items.iter_mut().for_each(permission_codes),
        _ => {}
    }
}

/// The names serde reads a fieldless enum of the domain by, from its own refusal of a name it does
/// not know ("unknown variant `x`, expected one of `a`, `b`"), so the list cannot drift from the type.
fn variant_names<T: DeserializeOwned>() -> Vec<String> {
    let Err(error) = serde_json::from_value::<T>(json!("\u{1}")) else {
        return Vec::new();
    };
    let message = error.to_string();
    let expected = message
        .split_once(", expected")
        .map_or("", |(_, rest)| rest);
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Sets the `enum` of `property` in every object schema below `schema` that has it.
fn name_values(schema: &mut Value, property: &str, values: &[String]) {
    enum_values(schema, property, &json!(values));
}

/// Lists a property's allowed values (a JSON array, `null` among them for a nullable one).
fn enum_values(schema: &mut Value, property: &str, values: &Value) {
    match schema {
        Value::Object(object) => {
            if let Some(field) = object
                .get_mut("properties")
                .and_then(|p| p.get_mut(property))
                .and_then(Value::as_object_mut)
            {
                field.insert("enum".into(), values.clone());
                field.remove("pattern");
            }
            object
                .values_mut()
                .for_each(|v| enum_values(v, property, values));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| enum_values(v, property, values)),
        _ => {}
    }
}

/// Each command of a request enum: its name and its body as the API reads it (without `command`).
fn command_bodies(request: &Value) -> Vec<(String, Value)> {
    let variants = request
        .get("oneOf")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut bodies: Vec<(String, Value)> = variants
        .into_iter()
        .filter_map(|mut variant| {
            let name = variant["properties"]["command"]["enum"][0]
                .as_str()?
                .to_owned();
            let object = variant.as_object_mut()?;
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                properties.remove("command");
            }
            if let Some(Value::Array(required)) = object.get_mut("required") {
                required.retain(|field| field != "command");
                if required.is_empty() {
                    object.remove("required");
                }
            }
            Some((name, variant))
        })
        .collect();
    bodies.sort_by(|a, b| a.0.cmp(&b.0));
    bodies
}

/// The whole document.
pub fn document() -> Value {
    let mut document = serde_json::to_value(CommandApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    exact(&mut document["components"]["schemas"]);
    permission_codes(&mut document["components"]["schemas"]["RoleRequest"]);
    // Fields read into the domain's own enums, which the request types document as plain strings.
    {
        let schemas = &mut document["components"]["schemas"];
        if let Some(variants) = schemas["ClientRequest"]["oneOf"].as_array_mut() {
            for variant in variants
                .iter_mut()
                .filter(|v| v["properties"]["command"]["enum"][0] == "record_consent")
            {
                name_values(variant, "kind", &variant_names::<ConsentKind>());
                name_values(variant, "channel", &variant_names::<ConsentChannel>());
            }
        }
        name_values(
            &mut schemas["SettingsRequest"],
            "trigger",
            &variant_names::<aggregates::notification::Trigger>(),
        );
        name_values(
            &mut schemas["SettingsRequest"],
            "channel",
            &variant_names::<aggregates::notification::Channel>(),
        );
        name_values(
            &mut schemas["DecisionBody"],
            "decision",
            &variant_names::<LineDecision>(),
        );
        name_values(
            &mut schemas["PartRequest"],
            "unit",
            &variant_names::<Unit>(),
        );
        name_values(
            &mut schemas["BayRequest"],
            "kind",
            &variant_names::<BayKind>(),
        );
        name_values(
            &mut schemas["WorkScheduleRequest"],
            "kind",
            &variant_names::<AbsenceKind>(),
        );
        let mut bay_kinds = json!(variant_names::<BayKind>());
        if let Some(kinds) = bay_kinds.as_array_mut() {
            kinds.push(Value::Null);
        }
        enum_values(&mut schemas["AppointmentRequest"], "bay_kind", &bay_kinds);
        let upload = &mut schemas["UploadRequest"];
        name_values(upload, "kind", &variant_names::<FileKind>());
        name_values(upload, "purpose", &variant_names::<FilePurpose>());
        // `AttachedTo` as serde reads it: the record's kind beside its id.
        upload["properties"]["to"] = json!({
            "type": "object",
            "required": ["kind", "id"],
            "properties": {
                "kind": { "type": "string", "enum": ["work_order", "vehicle", "client"] },
                "id": { "type": "string", "format": "uuid" }
            },
            "additionalProperties": false
        });
    }
    if let Some(schemas) = document["components"]["schemas"].as_object_mut() {
        // The request bodies only: the answers' texts are ours.
        for (name, schema) in schemas.iter_mut() {
            if ![
                "Accepted",
                "ErrorBody",
                "UploadTicket",
                "ApprovalView",
                "AnswerRecorded",
                "ShownLine",
                "ShownTotals",
                "ShownVehicle",
            ]
            .contains(&name.as_str())
            {
                storable_text(schema);
            }
        }
    }
    let error = json!({ "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } } });
    let described = |description: &str| {
        let mut answer = error.clone();
        answer["description"] = json!(description);
        answer
    };
    let mut paths = Map::new();
    for (aggregate, request, ids) in BODIES {
        let id = match ids {
            Ids::Uuid => json!({ "type": "string", "format": "uuid" }),
            Ids::Code => json!({ "type": "string", "pattern": CODE_PATTERN }),
            Ids::Stock => json!({ "type": "string", "pattern": STOCK_ID_PATTERN }),
        };
        for (command, body) in command_bodies(&document["components"]["schemas"][*request]) {
            let summary = body
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim_matches('`')
                .to_owned();
            // A body with no required field may be left out (an empty body reads as `{}`).
            let required = body.get("required").is_some();
            paths.insert(
                format!("/v1/{aggregate}/{{id}}/{command}"),
                json!({ "post": {
                    "operationId": format!("{aggregate}_{command}"),
                    "summary": format!("{aggregate}: {summary}"),
                    "tags": [aggregate],
                    "security": [{ "bearer": [] }],
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": id },
                        { "name": "If-Match", "in": "header",
                          "schema": { "type": "string", "pattern": "^(W/)?\"?[0-9]{1,19}\"?$" },
                          "description": concat!("The version the command was prepared against (a number, ",
                                                 "optionally quoted); 412 if the record moved, 400 if not a number.") },
                        { "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "minLength": 1, "maxLength": 200,
                                      "pattern": "^[!-~]([ -~]*[!-~])?$" },
                          "description": "A retry with the same key and body returns the first answer." },
                        { "name": "X-Correlation-Id", "in": "header", "schema": { "type": "string", "format": "uuid" } }
                    ],
                    "requestBody": { "required": required, "content": { "application/json": {
                        "schema": body } } },
                    "responses": {
                        "200": { "description": "Accepted", "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/Accepted" } } } },
                        "400": described("Malformed body, id or header"),
                        "401": described("No valid access token"),
                        "403": described("The caller's roles do not allow this command"),
                        "404": described("No such record"),
                        "409": described("Already exists, the record's personal data was erased, or concurrent changes kept winning"),
                        "412": described("If-Match does not match the record's version"),
                        "413": described("Body too large"),
                        "422": described("A rule of the shop refused the command"),
                        "429": described("Over the employee's requests per minute (rate_limited); retry after Retry-After seconds"),
                        "503": described("The database did not answer; retry later")
                    }
                }}),
            );
        }
    }
    // The client's approval page: no account; the link's token, in the body, admits the request.
    for (path, operation, summary, body, answer) in [
        (
            "/v1/public/approval/view",
            "approval_view",
            "The estimate behind an approval link (the first opening is recorded)",
            "ViewBody",
            "ApprovalView",
        ),
        (
            "/v1/public/approval/answer",
            "approval_answer",
            "The client's decision on every waiting line, once, for the revision shown",
            "AnswerBody",
            "AnswerRecorded",
        ),
    ] {
        // The body inline, as every command's: the schema says exactly what the API reads.
        let body = document["components"]["schemas"][body].clone();
        paths.insert(
            path.to_owned(),
            json!({ "post": {
                "operationId": operation,
                "summary": summary,
                "tags": ["approval_link"],
                "security": [],
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": body } } },
                "responses": {
                    "200": { "description": "The link's page, or the answer recorded",
                             "content": { "application/json": {
                                 "schema": { "$ref": format!("#/components/schemas/{answer}") } } } },
                    "400": described("Malformed body"),
                    "404": described("No link answers to this token (approval_link_not_found)"),
                    "409": described("Concurrent changes kept winning"),
                    "413": described("Body too large"),
                    "422": described("The link expired, was revoked, answered or outdated by a change, or a line has no decision"),
                    "503": described("The database did not answer; retry later")
                }
            }}),
        );
    }
    // Photos and scans: a presigned upload for a file of a record the caller may see.
    paths.insert(
        crate::http::FILE_UPLOAD_ROUTE.to_owned(),
        json!({ "post": {
            "operationId": "file_upload",
            "summary": "A presigned PUT for a new photo or scan (type, length and SHA-256 signed in); confirm with attachment/{id}/attach",
            "tags": ["attachment"],
            "security": [{ "bearer": [] }],
            "requestBody": { "required": true, "content": { "application/json": {
                "schema": document["components"]["schemas"]["UploadRequest"].clone() } } },
            "responses": {
                "200": { "description": "Where and how to PUT the file",
                         "content": { "application/json": {
                             "schema": { "$ref": "#/components/schemas/UploadTicket" } } } },
                "400": described("Malformed body"),
                "401": described("No valid access token"),
                "403": described("The caller may not attach files or see the record"),
                "409": described("The client's personal data was erased: their record takes no files"),
                "413": described("Body too large"),
                "422": described("A type or size not accepted, a malformed checksum, or no such record"),
                "429": described("Over the employee's requests per minute (rate_limited); retry after Retry-After seconds"),
                "503": described("The file storage or the database did not answer; retry later")
            }
        }}),
    );
    document["paths"] = Value::Object(paths);
    document["components"]["securitySchemes"] =
        json!({ "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } });
    document
}

#[cfg(test)]
mod tests {
    //! Every body the document describes is read by the API: the document says no more than it takes.

    use serde_json::{json, Value};

    use super::document;
    use crate::endpoints::{
        client, directory, invoice, parts, planning, purchasing, roles, settings, stock, timesheet,
        vehicle, work_order,
    };
    use crate::pipeline::request;
    use crate::ApiError;

    /// A value of `schema` with every property present; integers at `edge` (their minimum, or
    /// their maximum) and written with a fraction when `fractions` (`5.0`: still an integer).
    fn sample(document: &Value, schema: &Value, edge: bool, fractions: bool) -> Value {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or_default();
            return sample(
                document,
                &document["components"]["schemas"][name],
                edge,
                fractions,
            );
        }
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            let option = options
                .iter()
                .find(|o| o["type"] != "null")
                .unwrap_or(&Value::Null);
            return sample(document, option, edge, fractions);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.first().cloned().unwrap_or(Value::Null);
        }
        let kind = match &schema["type"] {
            Value::String(kind) => kind.clone(),
            Value::Array(kinds) => kinds
                .iter()
                .filter_map(Value::as_str)
                .find(|k| *k != "null")
                .unwrap_or("null")
                .to_owned(),
            _ => "object".to_owned(),
        };
        match kind.as_str() {
            "object" => Value::Object(
                schema["properties"]
                    .as_object()
                    .map(|properties| {
                        properties
                            .iter()
                            .map(|(name, field)| {
                                (name.clone(), sample(document, field, edge, fractions))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            "array" => json!([sample(document, &schema["items"], edge, fractions)]),
            "integer" => {
                let bound = if edge { "maximum" } else { "minimum" };
                let n = schema[bound]
                    .as_i64()
                    .unwrap_or(if edge { i64::MAX } else { 0 });
                if fractions {
                    // Exact as a float for the small bounds; the huge ones stay integers.
                    if n.unsigned_abs() < (1 << 53) {
                        return json!(n as f64);
                    }
                }
                json!(n)
            }
            "boolean" => json!(true),
            "string" => match schema["format"].as_str() {
                Some("uuid") => json!("0190a000-0000-7000-8000-000000000001"),
                Some("date-time") => json!("2026-12-05T18:00:00+03:00"),
                Some("date") => json!("2026-12-07"),
                // A time of day (`HH:MM`, as `planning::time_of_day` reads it).
                _ if schema["pattern"] == "^([01]?[0-9]|2[0-3]):[0-5][0-9]$" => json!("09:30"),
                _ if schema["pattern"] == super::CODE_PATTERN => json!("main"),
                _ => json!("Текст \u{1F697}"),
            },
            _ => Value::Null,
        }
    }

    fn read(aggregate: &str, command: &str, body: &[u8]) -> Result<(), ApiError> {
        match aggregate {
            "client" => request::<client::ClientRequest>(command, body).map(drop),
            "vehicle" => request::<vehicle::VehicleRequest>(command, body).map(drop),
            "work_order" => request::<work_order::WorkOrderRequest>(command, body).map(drop),
            "invoice" => request::<invoice::InvoiceRequest>(command, body).map(drop),
            "catalogue_service" => request::<directory::CatalogueRequest>(command, body).map(drop),
            "directory" => request::<directory::DirectoryRequest>(command, body).map(drop),
            "role" => request::<roles::RoleRequest>(command, body).map(drop),
            "staff" => request::<roles::StaffRequest>(command, body).map(drop),
            "settings" => request::<settings::SettingsRequest>(command, body).map(drop),
            "part" => request::<parts::PartRequest>(command, body).map(drop),
            "supplier" => request::<parts::SupplierRequest>(command, body).map(drop),
            "purchase_order" => {
                request::<purchasing::PurchaseOrderRequest>(command, body).map(drop)
            }
            "stock" => request::<stock::StockRequest>(command, body).map(drop),
            "bay" => request::<planning::BayRequest>(command, body).map(drop),
            "work_schedule" => request::<planning::WorkScheduleRequest>(command, body).map(drop),
            "shop_calendar" => request::<planning::ShopCalendarRequest>(command, body).map(drop),
            "appointment" => request::<planning::AppointmentRequest>(command, body).map(drop),
            "timesheet" => request::<timesheet::TimesheetRequest>(command, body).map(drop),
            "attachment" => {
                request::<crate::endpoints::attachment::AttachmentRequest>(command, body).map(drop)
            }
            other => panic!("the document names an aggregate the test does not know: {other}"),
        }
    }

    #[test]
    fn every_documented_body_is_read_as_its_command() {
        let document = document();
        let paths = document["paths"].as_object().expect("paths");
        assert!(paths.len() > 50, "{} paths", paths.len());
        let mut refused = Vec::new();
        for (path, operation) in paths {
            let schema = &operation["post"]["requestBody"]["content"]["application/json"]["schema"];
            if path == crate::http::FILE_UPLOAD_ROUTE {
                for edge in [false, true] {
                    let body = sample(&document, schema, edge, false);
                    if let Err(error) =
                        serde_json::from_value::<crate::files::UploadRequest>(body.clone())
                    {
                        refused.push(format!("{path} {body}: {error}"));
                    }
                }
                continue;
            }
            if let Some(public) = path.strip_prefix("/v1/public/approval/") {
                for edge in [false, true] {
                    let body = sample(&document, schema, edge, false);
                    let read = match public {
                        "view" => {
                            serde_json::from_value::<crate::approval_link::ViewBody>(body.clone())
                                .map(drop)
                        }
                        _ => {
                            serde_json::from_value::<crate::approval_link::AnswerBody>(body.clone())
                                .map(drop)
                        }
                    };
                    if let Err(error) = read {
                        refused.push(format!("{path} {body}: {error}"));
                    }
                }
                continue;
            }
            let segments: Vec<&str> = path.split('/').collect();
            let [_, "v1", aggregate, "{id}", command] = segments.as_slice() else {
                panic!("a path not of the form /v1/{{aggregate}}/{{id}}/{{command}}: {path}");
            };
            let schema = &operation["post"]["requestBody"]["content"]["application/json"]["schema"];
            for (edge, fractions) in [(false, false), (true, false), (false, true), (true, true)] {
                let body = sample(&document, schema, edge, fractions);
                let text = serde_json::to_vec(&body).expect("a body");
                if let Err(error) = read(aggregate, command, &text) {
                    refused.push(format!("{path} {body}: {error}"));
                }
            }
        }
        assert!(
            refused.is_empty(),
            "documented bodies refused:\n{}",
            refused.join("\n")
        );
    }

    #[test]
    fn a_body_names_no_property_the_api_refuses() {
        let document = document();
        for (path, operation) in document["paths"].as_object().expect("paths") {
            let schema = &operation["post"]["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                schema["properties"].get("command").is_none(),
                "{path}: {schema}"
            );
            assert_eq!(schema["additionalProperties"], false, "{path}");
        }
    }
}
